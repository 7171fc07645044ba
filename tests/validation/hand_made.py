"""A minimal tree built by hand: one source, one release, one cluster folder applying both."""

from __future__ import annotations

from typing import Any

from wildside_constructs import flux
from wildside_constructs.model import DeployUnit, HelmSource

CHARTS = HelmSource(name="charts", url="https://charts.example.com")
RELEASE = "platform/app/helmrelease.yaml"


def minimal_tree(cluster: str = "a") -> dict[str, Any]:
    """One source, one release and the cluster folder that applies both."""
    release = flux.helm_release(
        name="app",
        namespace="app",
        chart="app",
        version="1.2.3",
        source=CHARTS,
        values={},
        part_of="app",
    )
    source_unit = DeployUnit(
        name="source-charts",
        folder=CHARTS.folder,
        documents={"helmrepository.yaml": flux.helm_repository(CHARTS)},
    )
    sources = DeployUnit(
        name="sources",
        folder=f"clusters/{cluster}/sources",
        documents={},
        bases=(f"../../../{CHARTS.folder}",),
    )
    app = DeployUnit(
        name="app",
        folder="platform/app",
        documents={"helmrelease.yaml": release},
        depends_on=("sources",),
    )
    files: dict[str, Any] = {}
    for unit in (source_unit, sources, app):
        files.update(unit.files())
    for unit in (sources, app):
        files[f"clusters/{cluster}/{unit.name}.yaml"] = flux.flux_kustomization(
            unit, unit.folder, unit.name
        )
    files[f"clusters/{cluster}/kustomization.yaml"] = flux.kustomize_file(
        ["sources.yaml", "app.yaml"]
    )
    return files


def messages(problems: list[Any]) -> list[str]:
    return [str(problem) for problem in problems]
