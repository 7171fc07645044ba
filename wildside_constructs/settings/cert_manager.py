"""Settings for cert-manager and its Let's Encrypt ClusterIssuers.

Also home to :class:`CloudflareToken`, the reference to the Cloudflare API
token that both the DNS-01 solver and external-dns read.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Literal, get_args

from wildside_constructs.capacity import Workload
from wildside_constructs.problems import Problem
from wildside_constructs.settings.common import Resources, SmallResources
from wildside_constructs.settings.text import (
    DNS_SUBDOMAIN,
    SECRET_KEY,
    reads_as_text,
    text_problems,
)

CERT_MANAGER_CHART_VERSION = "v1.19.2"

Solver = Literal["http01", "dns01-cloudflare"]
SOLVERS: tuple[str, ...] = get_args(Solver)
# Where the Cloudflare token Secret comes from: "vault" through an
# ExternalSecret (vault_eso must be on), "manual" created by hand, "auto"
# Vault when vault_eso is on and by hand otherwise.
TokenSource = Literal["auto", "vault", "manual"]
CLUSTER_NAME_PLACEHOLDER = "${cluster_name}"

_VAULT_SEGMENT = r"[A-Za-z0-9_.-]+"
_VAULT_PATH = re.compile(rf"^{_VAULT_SEGMENT}(/{_VAULT_SEGMENT})*$")
_VAULT_PROPERTY = re.compile(rf"^{_VAULT_SEGMENT}$")


@dataclass(frozen=True)
class CloudflareToken:
    """Where the Cloudflare API token lives: a Secret, and optionally Vault.

    The Secret is named here; with vault_eso enabled an ExternalSecret
    materialises it from ``vault_path`` (``${cluster_name}`` is replaced by
    the cluster's name), otherwise the user creates it beforehand.
    ``source`` pins either choice.
    """

    source: TokenSource = "auto"
    secret_name: str = "cloudflare-api-token"  # noqa: S105 - a name, not a secret
    secret_key: str = "api-token"  # noqa: S105 - a name, not a secret
    vault_path: str = "wildside/${cluster_name}/cloudflare"
    vault_property: str = "api_token"

    def problems(self, where: str) -> list[Problem]:
        found = text_problems(
            f"{where}.secret_name",
            self.secret_name,
            DNS_SUBDOMAIN,
            "a Secret name (lower-case DNS subdomain)",
        )
        if len(self.secret_name) > 253:
            found.append(Problem(f"{where}.secret_name", "must be at most 253 characters"))
        found += text_problems(
            f"{where}.secret_key",
            self.secret_key,
            SECRET_KEY,
            "a Secret key (letters, digits, '-', '_', '.')",
        )
        path = self.vault_path.replace(CLUSTER_NAME_PLACEHOLDER, "cluster")
        if not self.vault_path:
            found.append(Problem(f"{where}.vault_path", "must not be empty; give a Vault KV path"))
        elif not _VAULT_PATH.match(path):
            found.append(
                Problem(
                    f"{where}.vault_path",
                    f"{self.vault_path!r} is not a Vault KV path: use segments of letters, "
                    "digits, '_', '.', '-' joined by '/', with ${cluster_name} as the only "
                    "placeholder",
                )
            )
        elif not reads_as_text(path):
            found.append(
                Problem(f"{where}.vault_path", f"{self.vault_path!r} would become a number")
            )
        found += text_problems(
            f"{where}.vault_property",
            self.vault_property,
            _VAULT_PROPERTY,
            "a Vault secret property (letters, digits, '_', '.', '-')",
        )
        return found

    def from_vault(self, enabled: Collection[str]) -> bool:
        """Whether an ExternalSecret fills the Secret on a cluster running ``enabled``."""
        return self.source != "manual" and "vault_eso" in enabled

    def requires(self, where: str) -> dict[str, str]:
        if self.source != "vault":
            return {}
        return {
            "vault_eso": f"{where}.source = 'vault' reads the Cloudflare token from Vault "
            f"through an ExternalSecret; or set {where}.source = 'manual' and create the "
            "Secret yourself"
        }

    def vault_key(self, cluster_name: str) -> str:
        """The KV path for one cluster; Flux does not substitute inside a value."""
        return self.vault_path.replace(CLUSTER_NAME_PLACEHOLDER, cluster_name)


@dataclass(frozen=True)
class ControllerResources(Resources):
    cpu_limit: str = "250m"


@dataclass(frozen=True)
class CertManagerSettings:
    solver: Solver = "dns01-cloudflare"
    # The issuer this cluster's certificates use: "staging" (untrusted, no rate
    # limits) or "production". Environments set it (docs/environments.md).
    default_issuer: str = "production"
    replicas: int = 3
    webhook_replicas: int = 3
    cainjector_replicas: int = 3
    # A budget of one unavailable pod never blocks a node drain, whatever the count.
    pdb_enabled: bool = True
    cloudflare: CloudflareToken = field(default_factory=CloudflareToken)
    resources: ControllerResources = field(default_factory=ControllerResources)
    webhook_resources: SmallResources = field(default_factory=SmallResources)
    cainjector_resources: SmallResources = field(default_factory=SmallResources)

    def workloads(self) -> list[Workload]:
        return [
            Workload("controller", self.replicas, self.resources),
            Workload("webhook", self.webhook_replicas, self.webhook_resources),
            Workload("cainjector", self.cainjector_replicas, self.cainjector_resources),
        ]

    def problems(self, where: str) -> list[Problem]:
        found: list[Problem] = []
        if self.solver not in SOLVERS:
            choices = ", ".join(repr(s) for s in SOLVERS)
            found.append(
                Problem(f"{where}.solver", f"must be one of {choices}, got {self.solver!r}")
            )
        if self.default_issuer not in ("staging", "production"):
            found.append(
                Problem(
                    f"{where}.default_issuer",
                    f"must be 'staging' or 'production', got {self.default_issuer!r}",
                )
            )
        for name in ("replicas", "webhook_replicas", "cainjector_replicas"):
            if not 1 <= getattr(self, name) <= 10:
                found.append(Problem(f"{where}.{name}", "must be between 1 and 10"))
        for name in ("resources", "webhook_resources", "cainjector_resources"):
            found += getattr(self, name).problems(f"{where}.{name}")
        if self.solver == "dns01-cloudflare":
            found += self.cloudflare.problems(f"{where}.cloudflare")
        return found

    def requires(self) -> dict[str, str]:
        if self.solver == "http01":
            return {"traefik": "the HTTP-01 solver answers challenges through traefik's ingress"}
        return self.cloudflare.requires("cert_manager.cloudflare")


@dataclass(frozen=True)
class IssuerRef:
    """A Certificate's (or an Ingress annotation's) ``issuerRef`` to one ClusterIssuer."""

    name: str
    kind: str = "ClusterIssuer"
    group: str = "cert-manager.io"


@dataclass(frozen=True)
class CertManagerContract:
    """What other components and users consume from cert_manager on one cluster."""

    namespace: str
    solver: str
    staging_issuer: str
    production_issuer: str
    # What this cluster's certificates should use (its environment's choice).
    default_issuer: str
    # "staging" and "production" -> the issuerRef naming that ClusterIssuer.
    issuer_refs: dict[str, IssuerRef]
    # The unit that applies the ClusterIssuers: depend on it before requesting certificates.
    issuers_unit: str
