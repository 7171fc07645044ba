"""Flux Kustomization rules: each path rendered (or awaiting promotion), dependsOn sound."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wildside_constructs.problems import Problem
from wildside_constructs.promotion import awaits_promotion
from wildside_constructs.validation.rules import (
    _FLUX_KUSTOMIZE,
    KUSTOMIZATION,
    SECRETS_FOLDER,
    Files,
    _join,
    _mapping,
    _name,
    _namespace,
    cluster_of,
    flux_folder,
    flux_path,
    manifests,
    reads_this_repository,
)


def flux_kustomization_problems(files: Files) -> list[Problem]:
    problems: list[Problem] = []
    # Flux resolves dependsOn by namespace and name within one cluster.
    groups: dict[str, dict[tuple[str, str], tuple[str, dict[str, Any]]]] = {}
    for path, document in manifests(files, _FLUX_KUSTOMIZE, "Kustomization"):
        key = (_namespace(document), _name(document))
        groups.setdefault(cluster_of(path), {})[key] = (path, document)
        if not reads_this_repository(document):
            continue
        folder = flux_folder(document)
        if folder is not None and _written_by_secrets(folder, document):
            continue
        if folder is None:
            why = "is not a relative path inside the repository"
        elif awaits_promotion(folder, files.keys()):
            # Not a defect: Flux keeps what it applied and retries until promoted.
            continue
        elif _join(folder, KUSTOMIZATION) not in files:
            why = f"is not a rendered folder (no {_join(folder, KUSTOMIZATION)})"
        else:
            continue
        problems.append(Problem(path, f"flux-path: spec.path {flux_path(document)} {why}"))
    for group in groups.values():
        problems.extend(depends_on_problems(group))
    return problems


def awaiting_promotion(files: Files) -> list[str]:
    """``path: folder`` of each Flux Kustomization whose promoted folder is not written yet."""
    waiting: list[str] = []
    for path, document in manifests(files, _FLUX_KUSTOMIZE, "Kustomization"):
        folder = flux_folder(document)
        if folder is not None and awaits_promotion(folder, files.keys()):
            waiting.append(f"{path}: {folder}")
    return sorted(waiting)


def _depends_on(document: Mapping[str, Any]) -> list[tuple[str, str]]:
    entries = _mapping(document.get("spec")).get("dependsOn") or []
    return [
        (str(dep.get("namespace") or _namespace(document)), str(dep.get("name", "")))
        for dep in entries
        if isinstance(dep, dict)
    ]


def _written_by_secrets(folder: str, document: Mapping[str, Any]) -> bool:
    # `wildside secrets` writes and lists this folder, and `wildside secrets
    # check` verifies it; only Kustomizations that decrypt may point there.
    return folder.startswith(SECRETS_FOLDER) and bool(
        _mapping(document.get("spec")).get("decryption")
    )


def depends_on_problems(
    units: Mapping[tuple[str, str], tuple[str, dict[str, Any]]],
) -> list[Problem]:
    """dependsOn naming no rendered unit, and dependsOn cycles, within one cluster."""
    problems: list[Problem] = []
    graph = {key: _depends_on(document) for key, (_path, document) in units.items()}
    for key, deps in sorted(graph.items()):
        for namespace, name in deps:
            if (namespace, name) not in units:
                problems.append(
                    Problem(
                        units[key][0],
                        f"flux-depends-on: dependsOn {namespace}/{name} is not rendered for "
                        f"this cluster; enable the component that provides it",
                    )
                )
    done: set[tuple[str, str]] = set()

    def visit(node: tuple[str, str], trail: tuple[tuple[str, str], ...]) -> None:
        if node in done or node not in graph:
            return
        if node in trail:
            cycle = " -> ".join(name for _ns, name in (*trail[trail.index(node) :], node))
            problems.append(Problem(units[node][0], f"flux-depends-on: cycle {cycle}"))
            return
        for dep in graph[node]:
            visit(dep, (*trail, node))
        done.add(node)

    for node in sorted(graph):
        visit(node, ())
    return problems
