"""Traefik: the ingress controller behind a DigitalOcean load balancer."""

from __future__ import annotations

from typing import Any

from constructs import Construct

from wildside_constructs.model import ClusterContext, HelmSource
from wildside_constructs.platform.component import PlatformComponent, contract_output
from wildside_constructs.platform.operator import operator_unit
from wildside_constructs.platform.values import resource_values, resource_variables
from wildside_constructs.settings.traefik import (
    TRAEFIK_CHART_VERSION,
    TraefikContract,
    TraefikSettings,
)

SOURCE = HelmSource(name="traefik", url="https://traefik.github.io/charts")
NAMESPACE = "traefik"
INGRESS_CLASS = "traefik"


class Traefik(PlatformComponent):
    def __init__(
        self, scope: Construct, id: str, *, context: ClusterContext, settings: TraefikSettings
    ) -> None:
        super().__init__(scope, id, context=context, settings=settings)
        self.traefik_contract = TraefikContract(
            namespace=NAMESPACE, ingress_class_name=INGRESS_CLASS, service_name="traefik"
        )
        source = self.use_source(SOURCE)
        # Per-cluster values travel as Flux substitutions so platform/traefik
        # stays byte-identical for every cluster sharing the repository.
        variables = {
            "traefik_replicas": str(settings.replicas),
            "traefik_service_type": settings.service_type,
            "traefik_external_traffic_policy": settings.external_traffic_policy,
            "traefik_dashboard": str(settings.dashboard).lower(),
            "traefik_ingress_class_default": str(settings.ingress_class_default).lower(),
            **resource_variables("traefik", settings.resources),
        }
        values: dict[str, Any] = {
            "deployment": {"replicas": "${traefik_replicas}"},
            "service": {
                "type": "${traefik_service_type}",
                "spec": {"externalTrafficPolicy": "${traefik_external_traffic_policy}"},
            },
            "ingressClass": {
                "enabled": True,
                "isDefaultClass": "${traefik_ingress_class_default}",
                "name": INGRESS_CLASS,
            },
            "ingressRoute": {"dashboard": {"enabled": "${traefik_dashboard}"}},
            "ports": {"web": {"redirections": {"entryPoint": {"to": "websecure"}}}},
            "resources": resource_values("traefik"),
            # Prometheus metrics are on by default in chart 37; there is no
            # `enabled` key (`prometheus: null` turns them off). Name the entry point.
            "metrics": {"prometheus": {"entryPoint": "metrics"}},
        }
        self.add_unit(
            operator_unit(
                name="traefik",
                folder=self.folder,
                namespaces=(NAMESPACE,),
                release="traefik",
                chart="traefik",
                version=TRAEFIK_CHART_VERSION,
                source=source,
                values=values,
                part_of="traefik",
                variables=variables,
            )
        )

    def contract(self) -> dict[str, Any]:
        return contract_output(self.traefik_contract)
