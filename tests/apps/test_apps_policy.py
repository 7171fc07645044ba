"""The apps repository against policy/*.rego, and no secret value anywhere in it."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.apps.conftest import Apps, sha
from tests.validation.rego_support import combined, deny, load_policies

regopy = pytest.importorskip("regopy", reason="regopy (dev dependency) is not installed")
FOLDERS = ("overlays/production", "overlays/staging", "overlays/ephemeral")


def _built(tree: Path) -> dict[str, Any]:
    """Each folder as Flux applies it: ``<folder>#<n>`` -> document."""
    found: dict[str, Any] = {}
    for folder in FOLDERS:
        out = subprocess.run(
            ["kubectl", "kustomize", str(tree / folder)], capture_output=True, text=True, check=True
        ).stdout
        for index, document in enumerate(d for d in yaml.safe_load_all(out) if d):
            found[f"{folder}#{index}"] = document
    return found


@pytest.fixture
def built(apps: Apps, tmp_path: Path) -> dict[str, Any]:
    assert apps.deploy(3, sha(3)).returncode == 0
    assert apps.deploy(14, sha(14)).returncode == 0
    return _built(apps.checkout(tmp_path / "tree"))


def test_every_applied_document_satisfies_the_policies(built: dict[str, Any]) -> None:
    interpreter = load_policies(regopy)
    for path, document in built.items():
        assert deny(interpreter, document) == [], path
    assert deny(interpreter, combined(built)) == []


def test_no_secret_value_is_written_only_references(built: dict[str, Any]) -> None:
    kinds = {document["kind"] for document in built.values()}
    assert "Secret" not in kinds
    for document in built.values():
        text = yaml.safe_dump(document)
        assert "stringData" not in text
        if document["kind"] == "ExternalSecret":
            template = document["spec"].get("target", {}).get("template", {})
            for key, value in template.get("data", {}).items():
                if key in ("password", "uri"):
                    assert "{{ .password }}" in value
