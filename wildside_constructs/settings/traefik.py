"""Settings for the traefik ingress controller."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from wildside_constructs.capacity import Workload
from wildside_constructs.problems import Problem
from wildside_constructs.settings.common import Resources

TRAEFIK_CHART_VERSION = "37.4.0"


@dataclass(frozen=True)
class TraefikSettings:
    replicas: int = 2
    service_type: Literal["LoadBalancer", "ClusterIP", "NodePort"] = "LoadBalancer"
    external_traffic_policy: Literal["Local", "Cluster"] = "Local"
    dashboard: bool = False
    ingress_class_default: bool = True
    resources: Resources = field(default_factory=Resources)

    def workloads(self) -> list[Workload]:
        return [Workload("traefik", self.replicas, self.resources)]

    def problems(self, where: str) -> list[Problem]:
        found = self.resources.problems(f"{where}.resources")
        if not 1 <= self.replicas <= 20:
            found.append(Problem(f"{where}.replicas", "must be between 1 and 20"))
        return found

    def requires(self) -> dict[str, str]:
        return {}


@dataclass(frozen=True)
class TraefikContract:
    """What other components and users consume from traefik on one cluster."""

    namespace: str
    # The IngressClass an Ingress names (spec.ingressClassName) to be served.
    ingress_class_name: str
    service_name: str
