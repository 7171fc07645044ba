"""Read the GitOps tree itself: which files each cluster's Flux tree applies.

Ownership records say who *published* a path; the tree says who *uses* it.
Before a shared ``platform/`` file is removed, both must agree that no other
cluster needs it, so a deleted or emptied record cannot talk the publisher into
pulling files out from under another cluster.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import yaml

from wildside_constructs.promotion import is_promoted, shared_path

__all__ = [
    "applied_by_others",
    "flux_paths",
    "part_of",
    "reads_shared_platform",
    "unit_folder",
]

_FLUX_GROUP = "kustomize.toolkit.fluxcd.io/"
_KUSTOMIZATION = "kustomization.yaml"

Texts = Callable[[Iterable[str]], Mapping[str, bytes]]
"""Reads files of the tree by path; returns ``{path: bytes}`` for those that exist."""


def _documents(data: bytes) -> list[Any]:
    try:
        return list(yaml.safe_load_all(data.decode("utf-8", errors="replace")))
    except yaml.YAMLError:
        # A file nobody can parse applies nothing we could reason about;
        # Flux itself would fail on it. It protects nothing, removes nothing.
        return []


def _clean(base: str, target: str) -> str | None:
    joined = posixpath.normpath(posixpath.join(base, target))
    return None if joined.startswith("..") or joined.startswith("/") else joined


def _flux_path(document: Any) -> str | None:
    """``spec.path`` of a Flux Kustomization, relative to the root; None for anything else."""
    if not isinstance(document, dict) or document.get("kind") != "Kustomization":
        return None
    if not str(document.get("apiVersion", "")).startswith(_FLUX_GROUP):
        return None
    spec = document.get("spec")
    path = spec.get("path") if isinstance(spec, dict) else None
    return _clean("", path.lstrip("/")) if isinstance(path, str) else None


def flux_paths(data: bytes) -> list[str]:
    """``spec.path`` of every Flux Kustomization in a file, relative to the root."""
    return [path for document in _documents(data) if (path := _flux_path(document)) is not None]


def _resources(data: bytes, folder: str) -> list[str]:
    found: list[str] = []
    for document in _documents(data):
        if not isinstance(document, dict):
            continue
        for key in ("resources", "bases", "components"):
            entries = document.get(key)
            for entry in entries if isinstance(entries, list) else []:
                if isinstance(entry, str) and (clean := _clean(folder, entry)) is not None:
                    found.append(clean)
    return found


def _expand(start: Iterable[str], paths: frozenset[str], texts: Texts) -> set[str]:
    """Files reached from ``start`` folders or files, following kustomization.yaml lists."""
    applied: set[str] = set()
    seen: set[str] = set()
    pending = list(start)
    while pending:
        target = pending.pop()
        if target in seen:
            continue
        seen.add(target)
        if target in paths:
            applied.add(target)
            continue
        index = f"{target}/{_KUSTOMIZATION}" if target != "." else _KUSTOMIZATION
        if index in paths:
            applied.add(index)
            pending.extend(_resources(texts([index]).get(index, b""), target))
        else:
            # Flux generates a kustomization of every manifest below the folder.
            prefix = f"{target}/"
            applied.update(path for path in paths if path.startswith(prefix))
    return applied


def applied_by_others(cluster: str, paths: Iterable[str], texts: Texts) -> set[str]:
    """Every file some cluster other than ``cluster`` applies, read from the tree."""
    every = frozenset(paths)
    own = f"clusters/{cluster}/"
    entry_files = [
        path
        for path in every
        if path.startswith("clusters/") and not path.startswith(own) and path.count("/") >= 2
    ]
    roots: set[str] = set()
    contents = texts(entry_files)
    for path in entry_files:
        data = contents.get(path, b"")
        roots.update(flux_paths(data))
        if posixpath.basename(path) == _KUSTOMIZATION:
            roots.update(_resources(data, posixpath.dirname(path)))
    return _expand(roots, every, texts)


def reads_shared_platform(cluster: str, paths: Iterable[str], texts: Texts) -> bool:
    """Whether ``cluster``'s tree applies ``platform/`` itself, not a promoted copy.

    A staging or production cluster applies ``environments/<env>/platform/``,
    which only ``wildside promote`` changes; a publish changing ``platform/``
    does not reach it.
    """
    own = f"clusters/{cluster}/"
    units = [path for path in paths if path.startswith(own) and path.count("/") == 2]
    for data in texts(units).values():
        if any(is_promoted(path) for path in flux_paths(data)):
            return False
    return True


def part_of(data: bytes) -> str | None:
    """The component a cluster's unit file says it belongs to (its part-of label)."""
    for document in _documents(data):
        metadata = document.get("metadata") if isinstance(document, dict) else None
        labels = metadata.get("labels") if isinstance(metadata, dict) else None
        name = labels.get("app.kubernetes.io/part-of") if isinstance(labels, dict) else None
        if isinstance(name, str) and name:
            return name
    return None


def _own_source(document: dict[str, Any]) -> bool:
    """Whether a Flux Kustomization reads this repository (the bootstrap's source)."""
    spec = document.get("spec")
    ref = spec.get("sourceRef") if isinstance(spec, dict) else None
    return not isinstance(ref, dict) or ref.get("name") in (None, "flux-system")


def unit_folder(data: bytes) -> str | None:
    """The ``platform/<folder>`` a cluster's unit file applies, if any.

    A promoted environment's copy names the same folder; a unit applied from
    another repository (the apps or an operator's) names none here.
    """
    for document in _documents(data):
        if not isinstance(document, dict) or not _own_source(document):
            continue
        path = _flux_path(document)
        parts = shared_path(path).split("/") if path is not None else []
        if len(parts) >= 2 and parts[0] in ("platform", "modules"):
            return parts[1]
    return None
