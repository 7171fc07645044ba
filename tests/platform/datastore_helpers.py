"""Shared by the cnpg and valkey tests: configurations, and documents as Flux applies them."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from tests.support import example_with, render_platform
from tests.validation.trees import kustomize_build, write_tree
from wildside_constructs.promotion import shared_path
from wildside_constructs.validation.tree import substitute
from wildside_constructs.yamlout import dump, load

# Observability reads its credentials from Vault, so it goes too.
NO_VAULT = {"WILDSIDE_ENABLE_VAULT_ESO": "false", "WILDSIDE_ENABLE_OBSERVABILITY": "false"}
BACKUP = {
    "enabled": True,
    "bucket": "wildside-backups",
    "endpoint": "https://nyc3.digitaloceanspaces.com",
}


def render(
    overrides: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    *,
    schemas: bool = True,
) -> Any:
    # Room for whatever the test sizes up: the capacity check sizes the platform
    # against the node pools, which the platform tree itself never reads.
    roomy = {"node_pools": [{"name": "default", "size": "s-8vcpu-16gb", "count": 3}]}
    return render_platform(example_with({**roomy, **(overrides or {})}, env), schemas=schemas)


def unit_spec(stack: Any, unit: str, cluster: str = "dev") -> dict[str, Any]:
    spec: dict[str, Any] = stack.documents[f"clusters/{cluster}/{unit}.yaml"]["spec"]
    return spec


def flux_vars(stack: Any, unit: str, cluster: str = "dev") -> dict[str, str]:
    variables: dict[str, str] = (
        unit_spec(stack, unit, cluster).get("postBuild", {}).get("substitute", {})
    )
    return variables


def depends_on(stack: Any, unit: str, cluster: str = "dev") -> list[str]:
    return [dep["name"] for dep in unit_spec(stack, unit, cluster).get("dependsOn", [])]


def unit_folder(stack: Any, unit: str, cluster: str = "dev") -> str:
    """The rendered folder a unit applies (a promoted environment reads its copy)."""
    path: str = unit_spec(stack, unit, cluster)["path"]
    return shared_path(path.removeprefix("./"))


def applied(stack: Any, unit: str, name: str, cluster: str = "dev") -> Any:
    """File ``name`` of ``unit``'s folder as Flux hands it to the cluster."""
    path = f"{unit_folder(stack, unit, cluster)}/{name}"
    return load(substitute(stack.rendered[path], flux_vars(stack, unit, cluster)))


def documents_of_kind(stack: Any, kind: str) -> dict[str, Any]:
    return {p: d for p, d in stack.documents.items() if d.get("kind") == kind}


def units_of(stack: Any, prefix: str, cluster: str = "dev") -> list[str]:
    """The Flux Kustomizations of ``cluster`` whose names start with ``prefix``."""
    folder = f"clusters/{cluster}/"
    return sorted(
        path.removeprefix(folder).removesuffix(".yaml")
        for path in stack.documents
        if path.startswith(f"{folder}{prefix}") and path.count("/") == 2
    )


def assert_folders_build(tmp_path: Path, files: Mapping[str, Any], prefix: str) -> set[str]:
    """``kubectl kustomize`` each folder under ``prefix``; each yields what it lists."""
    root = write_tree(tmp_path, {path: dump(doc) for path, doc in files.items()})
    folders = {posixpath.dirname(p) for p in files if p.startswith(prefix)}
    for folder in sorted(folders):
        built = kustomize_build(root, folder)
        assert built.returncode == 0, f"{folder}: {built.stderr}"
        listed = files[f"{folder}/kustomization.yaml"]["resources"]
        assert len([d for d in yaml.safe_load_all(built.stdout) if d]) == len(listed), folder
    return folders
