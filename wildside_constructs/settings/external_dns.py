"""Settings for external-dns publishing the cluster's records to Cloudflare."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, get_args

from wildside_constructs.capacity import Workload
from wildside_constructs.problems import Problem
from wildside_constructs.settings.cert_manager import CloudflareToken
from wildside_constructs.settings.common import SmallResources

EXTERNAL_DNS_CHART_VERSION = "1.19.0"

Policy = Literal["sync", "upsert-only"]
POLICIES: tuple[str, ...] = get_args(Policy)
# Sources external-dns 0.19 serves that fit this platform (the chart grants
# the RBAC each one needs).
KNOWN_SOURCES = (
    "crd",
    "gateway-grpcroute",
    "gateway-httproute",
    "gateway-tcproute",
    "gateway-tlsroute",
    "gateway-udproute",
    "ingress",
    "service",
    "traefik-proxy",
)
_DURATION = re.compile(r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$")
_BARE_NUMBER = re.compile(r"^[0-9]+(\.[0-9]+)?$")
_ZONE_ID = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class ExternalDnsSettings:
    policy: Policy = "sync"
    sources: tuple[str, ...] = ("ingress", "service")
    interval: str = "1m"
    # Off: proxied records hide the load balancer, but break non-HTTP services.
    cloudflare_proxied: bool = False
    # The Cloudflare zone's id. external-dns drops a zone that is a parent of
    # every domain filter (zone example.com, cluster domain dev.example.com)
    # unless the zone is named by id; empty means "the zone is the domain".
    zone_id: str = ""
    cloudflare: CloudflareToken = field(default_factory=CloudflareToken)
    resources: SmallResources = field(default_factory=SmallResources)

    def workloads(self) -> list[Workload]:
        return [Workload("external-dns", 1, self.resources)]

    def problems(self, where: str) -> list[Problem]:
        found: list[Problem] = []
        if self.policy not in POLICIES:
            choices = ", ".join(repr(p) for p in POLICIES)
            found.append(
                Problem(f"{where}.policy", f"must be one of {choices}, got {self.policy!r}")
            )
        if not self.sources:
            found.append(Problem(f"{where}.sources", "must name at least one source"))
        for index, source in enumerate(self.sources):
            if source not in KNOWN_SOURCES:
                found.append(
                    Problem(
                        f"{where}.sources[{index}]",
                        f"unknown source {source!r}; known sources: {', '.join(KNOWN_SOURCES)}",
                    )
                )
        if len(set(self.sources)) != len(self.sources):
            found.append(Problem(f"{where}.sources", "names a source more than once"))
        if not _DURATION.match(self.interval):
            found.append(
                Problem(f"{where}.interval", f"{self.interval!r} is not a duration (e.g. 1m, 30s)")
            )
        if self.zone_id and not _ZONE_ID.match(self.zone_id):
            found.append(
                Problem(
                    f"{where}.zone_id",
                    f"{self.zone_id!r} is not a Cloudflare zone id (32 lower-case hex digits)",
                )
            )
        found += self.cloudflare.problems(f"{where}.cloudflare")
        found += self.resources.problems(f"{where}.resources")
        for name, value in vars(self.resources).items():
            # The chart's values schema wants text, and Flux substitutes unquoted.
            if _BARE_NUMBER.match(value):
                found.append(
                    Problem(
                        f"{where}.resources.{name}",
                        f"{value!r} needs a unit (e.g. 1000m for one CPU, 128Mi): the "
                        "external-dns chart rejects a bare number",
                    )
                )
        return found

    def requires(self) -> dict[str, str]:
        return self.cloudflare.requires("external_dns.cloudflare")


@dataclass(frozen=True)
class ExternalDnsContract:
    """What other components and users consume from external_dns on one cluster."""

    namespace: str
    dns_zone: str
    # The TXT registry owner: records this cluster created carry it.
    txt_owner_id: str
    domain_filters: tuple[str, ...]
    policy: str
    sources: tuple[str, ...]
    cloudflare_proxied: bool
