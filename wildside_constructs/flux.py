"""Builders for the Flux and kustomize documents every component renders."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from wildside_constructs.model import (
    FLUX_NAMESPACE,
    FLUX_SOURCE_NAME,
    MANAGED_BY,
    DeployUnit,
    HelmSource,
)


def labels(part_of: str) -> dict[str, str]:
    return {**MANAGED_BY, "app.kubernetes.io/part-of": part_of}


def namespace(name: str, part_of: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name, "labels": labels(part_of)},
    }


def git_repository(
    *,
    name: str,
    url: str,
    ref: Mapping[str, str],
    interval: str,
    part_of: str,
    ignore: str = "",
) -> dict[str, Any]:
    """A Flux ``GitRepository`` in flux-system (sources other than the bootstrap's own)."""
    spec: dict[str, Any] = {"interval": interval, "url": url, "ref": dict(ref)}
    if ignore:
        spec["ignore"] = ignore
    return {
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "GitRepository",
        "metadata": {"name": name, "namespace": FLUX_NAMESPACE, "labels": labels(part_of)},
        "spec": spec,
    }


def helm_repository(source: HelmSource) -> dict[str, Any]:
    spec: dict[str, Any] = {"interval": source.interval, "url": source.url}
    if source.type == "oci":
        spec["type"] = "oci"
    return {
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "HelmRepository",
        "metadata": {"name": source.name, "namespace": FLUX_NAMESPACE, "labels": dict(MANAGED_BY)},
        "spec": spec,
    }


def helm_release(
    *,
    name: str,
    namespace: str,
    chart: str,
    version: str,
    source: HelmSource,
    values: Mapping[str, Any],
    part_of: str,
    crds: str = "CreateReplace",
    interval: str = "1h",
) -> dict[str, Any]:
    """A HelmRelease pinned to an exact chart version with bounded remediation."""
    return {
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": {"name": name, "namespace": namespace, "labels": labels(part_of)},
        "spec": {
            "interval": interval,
            "chart": {
                "spec": {
                    "chart": chart,
                    "version": version,
                    "sourceRef": {
                        "kind": "HelmRepository",
                        "name": source.name,
                        "namespace": FLUX_NAMESPACE,
                    },
                }
            },
            "install": {"crds": crds, "remediation": {"retries": 3}},
            "upgrade": {"crds": crds, "remediation": {"retries": 3, "remediateLastFailure": True}},
            "values": dict(values),
        },
    }


def kustomize_file(resources: Iterable[str]) -> dict[str, Any]:
    """A plain kustomize ``kustomization.yaml`` listing exactly ``resources``."""
    return {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": sorted(resources),
    }


def flux_kustomization(unit: DeployUnit, path: str, part_of: str) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "interval": unit.interval,
        "timeout": unit.timeout,
        "retryInterval": "1m",
        "path": unit.path or f"./{path}",
        "prune": unit.prune,
        "wait": unit.wait,
        "sourceRef": {"kind": "GitRepository", "name": unit.source or FLUX_SOURCE_NAME},
    }
    if unit.depends_on:
        spec["dependsOn"] = [{"name": dep} for dep in unit.depends_on]
    if unit.variables:
        spec["postBuild"] = {"substitute": dict(unit.variables)}
    if unit.decryption_secret:
        spec["decryption"] = {"provider": "sops", "secretRef": {"name": unit.decryption_secret}}
    return {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": unit.name, "namespace": FLUX_NAMESPACE, "labels": labels(part_of)},
        "spec": spec,
    }
