"""Every unit waits for what it needs: its namespaces and its chart sources.

Read from the rendered units themselves, so dropping a Namespace document from
a component folder, or a ``dependsOn: sources``, fails here rather than only
in an end-to-end file list.
"""

from __future__ import annotations

import posixpath
from functools import cache
from typing import Any

from tests.support import all_units, example_with, render_platform

# Created by the cluster or the Flux bootstrap, not by any unit.
GIVEN = {"default", "kube-system", "flux-system"}


@cache
def _units() -> dict[str, Any]:
    stack = render_platform(example_with(), schemas=False)
    return {unit.name: unit for unit in all_units(stack)}


def _before(name: str, units: dict[str, Any]) -> set[str]:
    """The unit and every unit it waits for, transitively."""
    seen: set[str] = set()
    pending = [name]
    while pending:
        current = pending.pop()
        if current not in seen:
            seen.add(current)
            pending.extend(units[current].depends_on)
    return seen


def _applier(units: dict[str, Any]) -> dict[str, str]:
    """Unit -> the Flux Kustomization that applies it (itself, or one listing it as a base)."""
    by_folder = {unit.folder: unit.name for unit in units.values()}
    applied = {name: name for name in units}
    for unit in units.values():
        for base in unit.bases:
            folder = posixpath.normpath(posixpath.join(unit.folder, base))
            if folder in by_folder:
                applied[by_folder[folder]] = unit.name
    return applied


def _created(kind: str, units: dict[str, Any]) -> dict[tuple[str, str], str]:
    """(namespace, name) of every ``kind`` document -> the unit applying it."""
    applier = _applier(units)
    found: dict[tuple[str, str], str] = {}
    for unit in units.values():
        for document in unit.documents.values():
            if document.get("kind") == kind:
                meta = document["metadata"]
                found[(meta.get("namespace", ""), meta["name"])] = applier[unit.name]
    return found


def test_every_namespace_used_is_created_by_the_unit_or_one_it_waits_for() -> None:
    units = _units()
    namespaces = {name: unit for (_ns, name), unit in _created("Namespace", units).items()}
    for unit in units.values():
        ready = _before(unit.name, units)
        for file, document in unit.documents.items():
            namespace = document.get("metadata", {}).get("namespace")
            if namespace is None or namespace in GIVEN:
                continue
            where = f"{unit.folder}/{file} uses namespace {namespace!r}"
            assert namespace in namespaces, f"{where}, which no unit creates"
            assert namespaces[namespace] in ready, (
                f"{where}, created by {namespaces[namespace]!r}, which {unit.name!r} "
                "does not wait for"
            )


def test_every_release_waits_for_its_chart_source() -> None:
    units = _units()
    sources = _created("HelmRepository", units)
    releases = 0
    applier = _applier(units)
    for unit in units.values():
        if applier[unit.name] != unit.name:
            continue  # a folder applied through another unit's bases
        for document in unit.documents.values():
            if document.get("kind") != "HelmRelease":
                continue
            releases += 1
            ref = document["spec"]["chart"]["spec"]["sourceRef"]
            key = (ref.get("namespace", document["metadata"].get("namespace", "")), ref["name"])
            assert key in sources, f"{unit.name}: no unit renders source {key}"
            assert sources[key] in _before(unit.name, units), (
                f"{unit.name} does not wait for {sources[key]!r}, which holds its chart source"
            )
    assert releases >= 6
