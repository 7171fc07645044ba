"""Per-cluster values as Flux substitutions: shared by every component.

Each component's platform folder is cluster-agnostic; what differs per
cluster travels as ``${variable}`` placeholders in the documents and as
``postBuild.substitute`` values in the cluster's Flux Kustomization.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wildside_constructs.settings.common import Resources
from wildside_constructs.validation.tree import VARIABLE
from wildside_constructs.yamlout import dump


def unit_variables(
    documents: Mapping[str, Mapping[str, Any]], available: Mapping[str, str]
) -> dict[str, str]:
    """Exactly the substitutions ``documents`` use, so no unit carries stray values."""
    used = {name for doc in documents.values() for name in VARIABLE.findall(dump(doc))}
    return {name: available[name] for name in sorted(used)}


def resource_values(prefix: str) -> dict[str, dict[str, str]]:
    """A container's requests and limits as ``${<prefix>_<cpu|memory>_<kind>}``."""
    return {
        kind: {res: f"${{{prefix}_{res}_{kind[:-1]}}}" for res in ("cpu", "memory")}
        for kind in ("requests", "limits")
    }


def resource_variables(prefix: str, resources: Resources) -> dict[str, str]:
    """The values :func:`resource_values` refers to, from a settings' resources."""
    return {f"{prefix}_{name}": value for name, value in vars(resources).items()}


def workload_values(prefix: str, pdb_enabled: str) -> dict[str, Any]:
    """A chart workload's replicas, disruption budget and resources, as substitutions.

    The budget allows one unavailable pod, so it never blocks a node drain.
    """
    return {
        "replicaCount": f"${{{prefix}_replicas}}",
        "podDisruptionBudget": {"enabled": f"${{{pdb_enabled}}}", "maxUnavailable": 1},
        "resources": resource_values(prefix),
    }
