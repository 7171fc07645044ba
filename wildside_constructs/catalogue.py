"""The six platform components: configuration keys, folder names, settings.

One table drives configuration parsing, ``WILDSIDE_ENABLE_<NAME>`` overrides,
GitOps folder names and Flux Kustomization names, so they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from wildside_constructs.problems import Problem
from wildside_constructs.props.cert_manager import CertManagerSettings
from wildside_constructs.props.cnpg import CnpgSettings
from wildside_constructs.props.external_dns import ExternalDnsSettings
from wildside_constructs.props.traefik import TraefikSettings
from wildside_constructs.props.valkey import ValkeySettings
from wildside_constructs.props.vault import VaultEsoSettings


class Settings(Protocol):
    def problems(self, where: str) -> list[Problem]: ...

    def requires(self) -> dict[str, str]:
        """Component keys this configuration needs enabled, with the reason."""
        ...


@dataclass(frozen=True)
class ComponentSpec:
    key: str
    folder: str
    title: str
    settings: type[Any]

    @property
    def env(self) -> str:
        return f"WILDSIDE_ENABLE_{self.key.upper()}"


def _spec(key: str, folder: str, title: str, settings: type[Any]) -> ComponentSpec:
    return ComponentSpec(key=key, folder=folder, title=title, settings=settings)


COMPONENTS: tuple[ComponentSpec, ...] = (
    _spec("traefik", "traefik", "Traefik ingress", TraefikSettings),
    _spec("cert_manager", "cert-manager", "cert-manager and ACME issuers", CertManagerSettings),
    _spec("external_dns", "external-dns", "ExternalDNS (Cloudflare)", ExternalDnsSettings),
    _spec("vault_eso", "vault", "Vault and External Secrets Operator", VaultEsoSettings),
    _spec("cnpg", "databases", "CloudNativePG (PostGIS)", CnpgSettings),
    _spec("valkey", "redis", "Valkey (hyperspike operator)", ValkeySettings),
)

BY_KEY = {spec.key: spec for spec in COMPONENTS}
