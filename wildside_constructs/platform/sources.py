"""Chart sources: one folder per HelmRepository, selected per cluster."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from constructs import Construct

from wildside_constructs import flux
from wildside_constructs.model import SOURCES, ClusterContext, DeployUnit, HelmSource
from wildside_constructs.promotion import deployed_folder


class SourceConflictError(ValueError):
    """Two components named one chart source with different URLs."""


class Sources(Construct):
    """Renders ``platform/sources/<name>/`` and the cluster's ``sources`` unit.

    Each source has its own folder, and the cluster's selection lives in
    ``clusters/<cluster>/sources/``; so enabling a component on one cluster
    never changes a file another cluster's tree reads.
    """

    def __init__(
        self, scope: Construct, id: str, *, context: ClusterContext, sources: Iterable[HelmSource]
    ) -> None:
        super().__init__(scope, id)
        by_name: dict[str, HelmSource] = {}
        for source in sources:
            known = by_name.setdefault(source.name, source)
            if known != source:
                raise SourceConflictError(
                    f"platform/sources/{source.name}: two components name this source with "
                    f"different settings ({known.url} and {source.url}); give one a new name"
                )
        self.sources = tuple(sorted(by_name.values(), key=lambda s: s.name))
        self.source_units = tuple(
            DeployUnit(
                name=f"source-{source.name}",
                folder=source.folder,
                documents={"helmrepository.yaml": flux.helm_repository(source)},
            )
            for source in self.sources
        )
        self.unit = DeployUnit(
            name=SOURCES,
            folder=f"clusters/{context.name}/sources",
            documents={},
            bases=tuple(
                f"../../../{deployed_folder(source.folder, context.environment)}"
                for source in self.sources
            ),
            interval="1h",
        )

    @property
    def files(self) -> dict[str, dict[str, Any]]:
        rendered: dict[str, dict[str, Any]] = {}
        for unit in (*self.source_units, self.unit):
            rendered.update(unit.files())
        return rendered
