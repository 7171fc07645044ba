"""Validate documents against the upstream CRD and core Kubernetes schemas.

The schemas are data kept outside this repository (``../shared/schemas`` beside
a checkout, or ``WILDSIDE_SCHEMA_DIR``); their index maps
``"<apiVersion>/<Kind>"`` to a JSON Schema file.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from wildside_constructs.problems import Problem

SCHEMA_DIR_ENV = "WILDSIDE_SCHEMA_DIR"
_PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Kinds that are tooling input rather than cluster objects: nothing to validate.
LOCAL_KINDS = {"kustomize.config.k8s.io/v1beta1/Kustomization"}


def schema_dir(environ: Mapping[str, str] | None = None) -> Path | None:
    """The schema folder, or ``None`` when none is available on this machine."""
    env = os.environ if environ is None else environ
    named = env.get(SCHEMA_DIR_ENV, "").strip()
    candidate = Path(named) if named else _PROJECT_ROOT.parent / "shared" / "schemas"
    return candidate if (candidate / "index.json").is_file() else None


def _strict(node: Any) -> Any:
    """Close objects with declared properties, so a misspelt field fails.

    The API server silently prunes unknown fields of a structural schema; a
    typo there would vanish on apply, so it must fail here instead.
    """
    if isinstance(node, list):
        return [_strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    closed = {key: _strict(value) for key, value in node.items()}
    if (
        "properties" in closed
        and "additionalProperties" not in closed
        and not closed.get("x-kubernetes-preserve-unknown-fields")
    ):
        closed["additionalProperties"] = False
    return closed


class SchemaStore:
    """Loads schemas lazily: a run pays only for the kinds it renders."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.index: dict[str, str] = json.loads((root / "index.json").read_text())

    @functools.cache  # noqa: B019 - one store per process; the cache is the point
    def validator(self, key: str) -> Draft202012Validator | None:
        relative = self.index.get(key)
        if relative is None:
            return None
        schema = json.loads((self.root / relative).read_text())
        return Draft202012Validator(_strict(schema))

    def problems(self, path: str, document: Any) -> list[Problem]:
        if not isinstance(document, dict):
            return [Problem(path, "schema: a manifest must be a YAML mapping")]
        key = f"{document.get('apiVersion')}/{document.get('kind')}"
        if key in LOCAL_KINDS:
            return []
        validator = self.validator(key)
        if validator is None:
            return [Problem(path, f"schema: no upstream schema for {key}; render a known kind")]
        error = best_match(validator.iter_errors(document))
        if error is None:
            return []
        where = "/".join(str(part) for part in error.absolute_path) or "(document)"
        return [Problem(path, f"schema: {key} at {where}: {error.message}")]
