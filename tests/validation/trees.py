"""Write rendered trees to disk, as a GitOps checkout holds them."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path


def write_tree(root: Path, rendered: Mapping[str, str]) -> Path:
    for path, text in rendered.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def kustomize_build(root: Path, folder: str) -> subprocess.CompletedProcess[str]:
    """``kubectl kustomize`` on one folder of a tree written by :func:`write_tree`."""
    return subprocess.run(
        ["kubectl", "kustomize", str(root / folder)],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
