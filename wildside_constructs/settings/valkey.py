"""Settings for Valkey through the hyperspike valkey-operator."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from wildside_constructs.capacity import Workload
from wildside_constructs.problems import Problem
from wildside_constructs.settings.common import Resources
from wildside_constructs.settings.datastores import (
    CredentialSource,
    Resolved,
    resolve_source,
    source_problems,
    storage_problems,
    vault_path_problems,
)
from wildside_constructs.settings.text import (
    DNS_SUBDOMAIN,
    SECRET_KEY,
    namespace_list_problems,
    text_problems,
)

# The operator's Makefile pushes "valkey-operator-<tag>-chart" to
# oci://ghcr.io/hyperspike, so release v0.0.60 is chart version v0.0.60-chart.
VALKEY_CHART_VERSION = "v0.0.60-chart"
VALKEY_CHART_REPOSITORY = "oci://ghcr.io/hyperspike"
OPERATOR_NAMESPACE = "valkey-system"
VALKEY_NAMESPACE = "valkey"
VALKEY_PORT = 6379
# The key the operator writes its generated password under.
GENERATED_PASSWORD_KEY = "password"  # noqa: S105 - a key name, not a password

# The operator names pods "<name>-<n>" and a headless Service "<name>-headless";
# a DNS-1035 label of at most 50 characters leaves room for both.
_NAME = re.compile(r"^[a-z]([-a-z0-9]{0,48}[a-z0-9])?$")
_PROPERTY = re.compile(r"^[A-Za-z0-9_.-]+$")


@dataclass(frozen=True)
class ValkeyResources(Resources):
    cpu_request: str = "100m"
    memory_request: str = "128Mi"
    cpu_limit: str = "500m"
    memory_limit: str = "512Mi"


@dataclass(frozen=True)
class ValkeyPassword:
    """Where the password clients authenticate with comes from.

    "operator": valkey-operator generates it into the Secret ``<name>`` (key
    ``password``); "vault": an ExternalSecret fills ``<name>-password`` from
    ``vault_path``; "secret": a Secret you create in namespace valkey.
    """

    source: CredentialSource = "auto"
    secret_name: str = ""
    secret_key: str = "password"  # noqa: S105 - a key name, not a password
    vault_path: str = "wildside/${cluster_name}/valkey"
    vault_property: str = "password"

    def problems(self, where: str) -> list[Problem]:
        found = source_problems(f"{where}.source", self.source)
        found += vault_path_problems(f"{where}.vault_path", self.vault_path)
        found += text_problems(
            f"{where}.vault_property",
            self.vault_property,
            _PROPERTY,
            "a Vault secret property (letters, digits, '_', '.', '-')",
        )
        if self.source == "secret":
            found += text_problems(
                f"{where}.secret_name",
                self.secret_name,
                DNS_SUBDOMAIN,
                "the name of a Secret you create in namespace valkey (source = 'secret')",
            )
            found += text_problems(
                f"{where}.secret_key",
                self.secret_key,
                SECRET_KEY,
                "a Secret key (letters, digits, '-', '_', '.')",
            )
        return found

    def requires(self, where: str) -> dict[str, str]:
        if self.source != "vault":
            return {}
        return {
            "vault_eso": f"{where}.source = 'vault' reads the Valkey password from Vault; or "
            f"set {where}.source = 'operator' (the operator generates it) or 'secret'"
        }

    def mode(self, enabled: Collection[str]) -> Resolved:
        return resolve_source(self.source, enabled)

    def secret(self, name: str, enabled: Collection[str]) -> tuple[str, str]:
        """(Secret name, key) holding the password of the Valkey ``name``."""
        mode = self.mode(enabled)
        if mode == "secret":
            return self.secret_name, self.secret_key
        if mode == "vault":
            return f"{name}-password", GENERATED_PASSWORD_KEY
        return name, GENERATED_PASSWORD_KEY


@dataclass(frozen=True)
class ValkeySettings:
    name: str = "valkey"
    # Shards (the operator always runs Valkey in cluster mode) and replicas per shard.
    nodes: int = 1
    replicas: int = 0
    storage_size: str = "1Gi"
    storage_class: str = "do-block-storage"
    resources: ValkeyResources = field(default_factory=ValkeyResources)
    password: ValkeyPassword = field(default_factory=ValkeyPassword)
    # Namespaces allowed to reach Valkey (6379); each must be a platform
    # namespace or one in cluster.app_namespaces (docs/network-policies.md).
    client_namespaces: tuple[str, ...] = ()

    def workloads(self) -> list[Workload]:
        # The operator's own pod is sized by its chart (not counted here).
        return [Workload("valkey", self.nodes * (1 + self.replicas), self.resources)]

    def problems(self, where: str) -> list[Problem]:
        found = text_problems(
            f"{where}.name",
            self.name,
            _NAME,
            "a Valkey name: up to 50 lower-case letters, digits and '-', starting with a letter",
        )
        if not 1 <= self.nodes <= 10:
            found.append(Problem(f"{where}.nodes", "must be between 1 and 10 shards"))
        if not 0 <= self.replicas <= 5:
            found.append(Problem(f"{where}.replicas", "must be between 0 and 5 per shard"))
        found += storage_problems(where, self.storage_size, self.storage_class)
        found += self.resources.problems(f"{where}.resources")
        found += self.password.problems(f"{where}.password")
        found += namespace_list_problems(f"{where}.client_namespaces", self.client_namespaces)
        return found

    def requires(self) -> dict[str, str]:
        return self.password.requires("valkey.password")


@dataclass(frozen=True)
class ValkeyContract:
    """What applications consume from valkey on one cluster."""

    namespace: str
    operator_namespace: str
    name: str
    service: str
    host: str
    port: int
    headless_service: str
    cluster_mode: bool
    credentials_source: str
    password_secret: str
    password_key: str
    nodes: int
    replicas: int
    cluster_unit: str
