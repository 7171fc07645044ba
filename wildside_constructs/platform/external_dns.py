"""external-dns: publishes the cluster's ingress and service records to Cloudflare."""

from __future__ import annotations

import json
from typing import Any

from constructs import Construct

from wildside_constructs import flux
from wildside_constructs.model import SOURCES, ClusterContext, DeployUnit, HelmSource
from wildside_constructs.platform.component import PlatformComponent, contract_output
from wildside_constructs.platform.external_secrets import cloudflare_token_unit, token_variables
from wildside_constructs.platform.values import resource_values, resource_variables, unit_variables
from wildside_constructs.settings.external_dns import (
    EXTERNAL_DNS_CHART_VERSION,
    ExternalDnsContract,
    ExternalDnsSettings,
)
from wildside_constructs.settings.vault import SECRET_STORE_UNIT

SOURCE = HelmSource(name="external-dns", url="https://kubernetes-sigs.github.io/external-dns/")
NAMESPACE = "external-dns"
PART_OF = "external-dns"
NAMESPACE_UNIT = "external-dns-namespace"
TOKEN_UNIT = "external-dns-cloudflare-token"  # noqa: S105 - a name, not a secret


class ExternalDns(PlatformComponent):
    """The namespace is a unit of its own so the token Secret can exist first.

    external-dns reads the token at start-up and Helm waits for the pod; were
    the ExternalSecret applied after the release, the install would time out
    and exhaust its retries. So: namespace, then token, then release.
    """

    def __init__(
        self, scope: Construct, id: str, *, context: ClusterContext, settings: ExternalDnsSettings
    ) -> None:
        super().__init__(scope, id, context=context, settings=settings)
        self.external_dns_contract = ExternalDnsContract(
            namespace=NAMESPACE,
            dns_zone=context.domain,
            txt_owner_id=context.name,
            domain_filters=(context.domain,),
            policy=settings.policy,
            sources=tuple(settings.sources),
            cloudflare_proxied=settings.cloudflare_proxied,
        )
        proxied = (
            "--cloudflare-proxied" if settings.cloudflare_proxied else "--no-cloudflare-proxied"
        )
        variables = {
            "cluster_name": context.name,
            "cluster_domain": context.domain,
            "external_dns_policy": settings.policy,
            # A JSON list is a YAML flow sequence, so Flux substitutes a real list.
            "external_dns_sources": json.dumps(list(settings.sources)),
            "external_dns_interval": settings.interval,
            # Both kingpin and external-dns's cobra flags accept --no-<flag>;
            # neither accepts --<flag>=false.
            "external_dns_cloudflare_proxied_arg": proxied,
            "external_dns_zone_id": settings.zone_id,
            **resource_variables("external_dns", settings.resources),
            **token_variables("external_dns", settings.cloudflare, context.name),
        }
        namespace_docs = {"namespace.yaml": flux.namespace(NAMESPACE, PART_OF)}
        self.add_unit(
            DeployUnit(
                name=NAMESPACE_UNIT, folder=f"{self.folder}/namespace", documents=namespace_docs
            )
        )
        release_deps: tuple[str, ...] = (SOURCES, NAMESPACE_UNIT)
        if settings.cloudflare.from_vault(context.enabled):
            token = cloudflare_token_unit(
                name=TOKEN_UNIT,
                folder=f"{self.folder}/cloudflare-token",
                namespace=NAMESPACE,
                prefix="external_dns",
                variables=variables,
                depends_on=(NAMESPACE_UNIT, SECRET_STORE_UNIT),
                part_of=PART_OF,
            )
            release_deps += (self.add_unit(token).name,)
        self._release(variables, release_deps)

    def _release(self, variables: dict[str, str], depends_on: tuple[str, ...]) -> None:
        source = self.use_source(SOURCE)
        secret_ref = {
            "name": "${external_dns_cloudflare_secret_name}",
            "key": "${external_dns_cloudflare_secret_key}",
        }
        values: dict[str, Any] = {
            "provider": {"name": "cloudflare"},
            "env": [{"name": "CF_API_TOKEN", "valueFrom": {"secretKeyRef": secret_ref}}],
            "domainFilters": ["${cluster_domain}"],
            "txtOwnerId": "${cluster_name}",
            "policy": "${external_dns_policy}",
            "sources": "${external_dns_sources}",
            "interval": "${external_dns_interval}",
            "registry": "txt",
            "logLevel": "info",
            # An empty --zone-id-filter= is external-dns's "no filter".
            "extraArgs": [
                "${external_dns_cloudflare_proxied_arg}",
                "--zone-id-filter=${external_dns_zone_id}",
            ],
            "resources": resource_values("external_dns"),
        }
        release = flux.helm_release(
            name="external-dns",
            namespace=NAMESPACE,
            chart="external-dns",
            version=EXTERNAL_DNS_CHART_VERSION,
            source=source,
            values=values,
            part_of=PART_OF,
        )
        documents = {"helmrelease.yaml": release}
        self.add_unit(
            DeployUnit(
                name="external-dns",
                folder=self.folder,
                documents=documents,
                depends_on=depends_on,
                variables=unit_variables(documents, variables),
            )
        )

    def contract(self) -> dict[str, Any]:
        return contract_output(self.external_dns_contract)
