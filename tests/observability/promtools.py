"""Find and run promtool and amtool, installed by tools/install-prometheus-tools.sh.

``make deps`` unpacks them into ``.tools/prometheus/usr/bin``; a binary on PATH
is used otherwise. Tests skip, saying why, only when neither exists.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.runtime import PROJECT_ROOT

LOCAL_BIN = PROJECT_ROOT / ".tools" / "prometheus" / "usr" / "bin"


def tool(name: str) -> str:
    local = LOCAL_BIN / name
    if local.is_file():
        return str(local)
    found = shutil.which(name)
    if found:
        return found
    pytest.skip(
        f"{name} is not installed: run `make deps` (tools/install-prometheus-tools.sh needs "
        "apt-get and a Debian mirror) or put it on PATH"
    )


def run(name: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool(name), *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=120
    )


def rule_file(document: dict[str, Any]) -> dict[str, Any]:
    """promtool reads plain rule files, so keep only a PrometheusRule's groups."""
    assert document["kind"] == "PrometheusRule"
    return {"groups": document["spec"]["groups"]}


def write_yaml(path: Path, data: Any) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path
