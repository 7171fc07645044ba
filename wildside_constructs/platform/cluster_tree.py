"""``clusters/<cluster>/``: the Flux Kustomizations the bootstrap applies."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from constructs import Construct

from wildside_constructs import flux
from wildside_constructs.model import ClusterContext, DeployUnit


class DependencyError(ValueError):
    """A unit depends on a unit that is not rendered, or on itself in a cycle."""


class ClusterTree(Construct):
    """One Flux Kustomization per deploy unit, plus the root kustomization.

    The cluster's bootstrap Kustomization points at ``clusters/<cluster>``, so
    the root ``kustomization.yaml`` lists exactly the unit files here.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        context: ClusterContext,
        units: Iterable[tuple[str, DeployUnit]],
    ) -> None:
        super().__init__(scope, id)
        self.folder = f"clusters/{context.name}"
        owned = list(units)
        names = {unit.name: part_of for part_of, unit in owned}
        for _part_of, unit in owned:
            for dep in unit.depends_on:
                if dep not in names:
                    raise DependencyError(
                        f"{self.folder}/{unit.name}.yaml: dependsOn {dep!r}, which is not "
                        f"rendered for this cluster; enable the component that provides it"
                    )
        _check_acyclic({unit.name: unit.depends_on for _p, unit in owned}, self.folder)
        self.kustomizations: dict[str, dict[str, Any]] = {
            f"{self.folder}/{unit.name}.yaml": flux.flux_kustomization(unit, unit.folder, part_of)
            for part_of, unit in owned
        }
        root = flux.kustomize_file(name.rsplit("/", 1)[1] for name in self.kustomizations)
        self.files: dict[str, dict[str, Any]] = {
            **self.kustomizations,
            f"{self.folder}/kustomization.yaml": root,
        }
        self.unit_names = tuple(sorted(names))


def _check_acyclic(graph: dict[str, tuple[str, ...]], folder: str) -> None:
    visiting: set[str] = set()
    done: set[str] = set()

    def visit(node: str, trail: tuple[str, ...]) -> None:
        if node in done:
            return
        if node in visiting:
            cycle = " -> ".join((*trail, node))
            raise DependencyError(f"{folder}: dependsOn cycle {cycle}")
        visiting.add(node)
        for dep in graph.get(node, ()):
            visit(dep, (*trail, node))
        visiting.discard(node)
        done.add(node)

    for node in sorted(graph):
        visit(node, ())
