"""``clusters/<cluster>/``: the Flux Kustomizations the bootstrap applies."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from constructs import Construct

from wildside_constructs import flux
from wildside_constructs.model import ClusterContext, DeployUnit
from wildside_constructs.promotion import deployed_folder


class ClusterTree(Construct):
    """One Flux Kustomization per deploy unit, plus the root kustomization.

    The cluster's bootstrap Kustomization points at ``clusters/<cluster>``, so
    the root ``kustomization.yaml`` lists exactly the unit files here. Whether
    every ``dependsOn`` names a rendered unit, without cycles, is checked on the
    rendered documents by ``validation.rules``, so synth and a checkout on disk
    share one check. Clusters of a promoted environment apply that
    environment's copy of ``platform/`` (``promotion.deployed_folder``).
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
        self.kustomizations: dict[str, dict[str, Any]] = {
            f"{self.folder}/{unit.name}.yaml": flux.flux_kustomization(
                unit, deployed_folder(unit.folder, context.environment), part_of
            )
            for part_of, unit in owned
        }
        root = flux.kustomize_file(name.rsplit("/", 1)[1] for name in self.kustomizations)
        self.files: dict[str, dict[str, Any]] = {
            **self.kustomizations,
            f"{self.folder}/kustomization.yaml": root,
        }
        self.unit_names = tuple(sorted(unit.name for _part_of, unit in owned))
