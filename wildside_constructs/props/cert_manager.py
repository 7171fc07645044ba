"""Settings for cert-manager and its Let's Encrypt ClusterIssuers.

Also home to :class:`CloudflareToken`, the reference to the Cloudflare API
token that both the DNS-01 solver and external-dns read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, get_args

import yaml

from wildside_constructs.problems import Problem
from wildside_constructs.props.common import Resources, SmallResources

CERT_MANAGER_CHART_VERSION = "v1.19.2"
# The ClusterSecretStore vault_eso serves, and the Flux unit that applies it.
# wildside_constructs/props/vault.py (another engineer's) is to own both names;
# until it lands they live here and the lead unifies them.
CLUSTER_SECRET_STORE = "vault-kv"  # noqa: S105 - a name, not a secret
SECRET_STORE_UNIT = "vault-secret-store"  # noqa: S105 - a name, not a secret

Solver = Literal["http01", "dns01-cloudflare"]
SOLVERS: tuple[str, ...] = get_args(Solver)
CLUSTER_NAME_PLACEHOLDER = "${cluster_name}"

_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_SECRET_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
_VAULT_SEGMENT = r"[A-Za-z0-9_.-]+"
_VAULT_PATH = re.compile(rf"^{_VAULT_SEGMENT}(/{_VAULT_SEGMENT})*$")
_VAULT_PROPERTY = re.compile(rf"^{_VAULT_SEGMENT}$")


def reads_as_text(value: str) -> bool:
    """Whether ``value`` stays a string once Flux substitutes it into YAML.

    Substitution is textual, so ``true`` or ``123`` would reach the cluster as
    a boolean or a number where Kubernetes wants a string.
    """
    try:
        loaded: object = yaml.safe_load(value)
        return loaded == value
    except yaml.YAMLError:
        return False


def text_problems(where: str, value: str, pattern: re.Pattern[str], what: str) -> list[Problem]:
    """Empty, malformed, or retyped by YAML: each reported with the fix."""
    if not value:
        return [Problem(where, f"must not be empty; give {what}")]
    if not pattern.match(value):
        return [Problem(where, f"{value!r} is not {what}")]
    if not reads_as_text(value):
        return [
            Problem(
                where,
                f"{value!r} would become a number or boolean: Flux substitutes it into YAML "
                "unquoted; choose another value",
            )
        ]
    return []


@dataclass(frozen=True)
class CloudflareToken:
    """Where the Cloudflare API token lives: a Secret, and optionally Vault.

    The Secret is named here; with vault_eso enabled an ExternalSecret
    materialises it from ``vault_path`` (``${cluster_name}`` is replaced by
    the cluster's name), otherwise the user creates it beforehand.
    """

    secret_name: str = "cloudflare-api-token"  # noqa: S105 - a name, not a secret
    secret_key: str = "api-token"  # noqa: S105 - a name, not a secret
    vault_path: str = "wildside/${cluster_name}/cloudflare"
    vault_property: str = "api_token"

    def problems(self, where: str) -> list[Problem]:
        found = text_problems(
            f"{where}.secret_name",
            self.secret_name,
            _DNS_SUBDOMAIN,
            "a Secret name (lower-case DNS subdomain)",
        )
        if len(self.secret_name) > 253:
            found.append(Problem(f"{where}.secret_name", "must be at most 253 characters"))
        found += text_problems(
            f"{where}.secret_key",
            self.secret_key,
            _SECRET_KEY,
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

    def vault_key(self, cluster_name: str) -> str:
        """The KV path for one cluster; Flux does not substitute inside a value."""
        return self.vault_path.replace(CLUSTER_NAME_PLACEHOLDER, cluster_name)


@dataclass(frozen=True)
class ControllerResources(Resources):
    cpu_limit: str = "250m"


@dataclass(frozen=True)
class CertManagerSettings:
    solver: Solver = "dns01-cloudflare"
    replicas: int = 3
    webhook_replicas: int = 3
    cainjector_replicas: int = 3
    # A budget of one unavailable pod never blocks a node drain, whatever the count.
    pdb_enabled: bool = True
    cloudflare: CloudflareToken = field(default_factory=CloudflareToken)
    resources: ControllerResources = field(default_factory=ControllerResources)
    webhook_resources: SmallResources = field(default_factory=SmallResources)
    cainjector_resources: SmallResources = field(default_factory=SmallResources)

    def problems(self, where: str) -> list[Problem]:
        found: list[Problem] = []
        if self.solver not in SOLVERS:
            choices = ", ".join(repr(s) for s in SOLVERS)
            found.append(
                Problem(f"{where}.solver", f"must be one of {choices}, got {self.solver!r}")
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
        return {}
