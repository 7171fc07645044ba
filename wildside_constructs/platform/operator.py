"""The operator unit most components start with: namespaces and one HelmRelease.

It depends on the cluster's chart sources (:data:`SOURCES`), so Flux installs
the release only once its HelmRepository exists. Custom resources the chart's
CRDs serve go in later units that depend on this one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from wildside_constructs import flux
from wildside_constructs.model import SOURCES, DeployUnit, HelmSource
from wildside_constructs.platform.values import unit_variables


def operator_unit(
    *,
    name: str,
    folder: str,
    namespaces: Sequence[str],
    release: str,
    chart: str,
    version: str,
    source: HelmSource,
    values: Mapping[str, Any],
    part_of: str,
    variables: Mapping[str, str] | None = None,
) -> DeployUnit:
    """``namespaces`` (the release's own first) and the release, after the sources.

    One namespace is ``namespace.yaml``; several are ``namespace-<name>.yaml``.
    The unit carries exactly the substitutions its documents use.
    """
    if len(namespaces) == 1:
        documents = {"namespace.yaml": flux.namespace(namespaces[0], part_of)}
    else:
        documents = {f"namespace-{ns}.yaml": flux.namespace(ns, part_of) for ns in namespaces}
    documents["helmrelease.yaml"] = flux.helm_release(
        name=release,
        namespace=namespaces[0],
        chart=chart,
        version=version,
        source=source,
        values=values,
        part_of=part_of,
    )
    return DeployUnit(
        name=name,
        folder=folder,
        documents=documents,
        depends_on=(SOURCES,),
        variables=unit_variables(documents, variables or {}),
    )
