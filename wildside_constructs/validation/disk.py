"""Check a GitOps checkout on disk with the rules synth applies to a rendered tree.

Schemas are checked per cluster, on each file as that cluster's Flux
Kustomization substitutes it, because one ``platform/`` file reads different
values on each cluster sharing the repository.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from wildside_constructs.model import DeployUnit
from wildside_constructs.problems import Problem
from wildside_constructs.validation.rules import (
    Files,
    applied_files,
    cluster_of,
    flux_folder,
    manifests,
    tree_problems,
)
from wildside_constructs.validation.schemas import SchemaStore
from wildside_constructs.validation.tree import schema_problems


def read_tree(root: Path) -> tuple[dict[str, Any], list[Problem]]:
    """Every ``.yaml`` file under ``root`` as GitOps path -> parsed content.

    Hidden folders (``.git``, ``.github``) hold tooling, not manifests, so they
    are skipped. A file of several documents maps to the list of them.
    """
    files: dict[str, Any] = {}
    problems: list[Problem] = []
    for file in sorted(root.rglob("*.yaml")):
        relative = file.relative_to(root)
        if any(part.startswith(".") for part in relative.parts) or not file.is_file():
            continue
        path = relative.as_posix()
        try:
            loaded = [doc for doc in yaml.safe_load_all(file.read_text("utf-8")) if doc is not None]
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            problems.append(Problem(path, f"yaml: cannot parse: {exc}".replace("\n", " ")))
            continue
        files[path] = loaded[0] if len(loaded) == 1 else loaded
    return files, problems


def _variables(document: Mapping[str, Any]) -> dict[str, str]:
    spec = document.get("spec")
    post_build = spec.get("postBuild") if isinstance(spec, dict) else None
    substitute = post_build.get("substitute") if isinstance(post_build, dict) else None
    if not isinstance(substitute, dict):
        return {}
    return {str(key): str(value) for key, value in substitute.items()}


def _split(files: Files, paths: set[str]) -> dict[str, Any]:
    """One entry per YAML document, so each is validated on its own."""
    split: dict[str, Any] = {}
    for path in sorted(paths):
        value = files[path]
        if isinstance(value, list):
            split.update({f"{path} (document {i})": doc for i, doc in enumerate(value, 1)})
        else:
            split[path] = value
    return split


def cluster_schema_problems(files: Files, schemas: SchemaStore) -> list[Problem]:
    """Schema-check what each cluster applies, after that cluster's substitutions.

    A file no cluster's Flux Kustomization applies is left out: its
    substitution values are unknown, and the tree rules already report it
    when no kustomization lists it.
    """
    problems: set[Problem] = set()
    for path, document in manifests(files, "kustomize.toolkit.fluxcd.io/", "Kustomization"):
        folder = flux_folder(document)
        if not cluster_of(path) or folder is None:
            continue
        applied = applied_files(files, folder)
        variables = _variables(document)
        name = f"{path} applies"
        units = [
            DeployUnit(name=name, folder=posixpath.dirname(p), documents={}, variables=variables)
            for p in applied
        ]
        problems.update(schema_problems(_split(files, applied), units, schemas))
    return sorted(problems, key=lambda p: (p.field, p.message))


def check_files(
    files: Files, read_problems: list[Problem], schemas: SchemaStore | None
) -> list[Problem]:
    """Every problem of a tree :func:`read_tree` read (with the problems of reading it)."""
    problems = [*read_problems, *tree_problems(files)]
    if schemas is not None:
        problems.extend(cluster_schema_problems(files, schemas))
    return sorted(problems, key=lambda p: (p.field, p.message))


def check_tree(root: Path, schemas: SchemaStore | None) -> tuple[int, list[Problem]]:
    """(number of files read, every problem) for the checkout at ``root``."""
    files, problems = read_tree(root)
    return len(files), check_files(files, problems, schemas)
