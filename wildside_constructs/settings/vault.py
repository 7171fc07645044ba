"""Settings for External Secrets Operator and its ClusterSecretStore for the shared Vault.

Also the one home of the names the cluster and Vault must agree on: the store
other components reference, and the Kubernetes auth mount, role and service
account. ``wildside_ops/vault/k8s_auth.py`` imports them to set Vault up, the
``vault_eso`` construct to render the store, so the two cannot drift apart.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import Literal, get_args
from urllib.parse import urlsplit

from wildside_constructs.capacity import Workload
from wildside_constructs.problems import Problem
from wildside_constructs.settings.common import Resources, SmallResources
from wildside_constructs.settings.text import DNS_SUBDOMAIN, SECRET_KEY, text_problems

ESO_CHART_VERSION = "1.1.1"
ESO_CHART_REPOSITORY = "https://charts.external-secrets.io"
# The store every ExternalSecret references, and the Flux unit that applies it.
CLUSTER_SECRET_STORE = "vault-kv"  # noqa: S105 - a name, not a secret
SECRET_STORE_UNIT = "vault-secret-store"  # noqa: S105 - a name, not a secret

# Kubernetes auth: one mount per cluster, because each cluster has its own API
# server and CA that Vault checks service-account tokens against.
AUTH_MOUNT_PREFIX = "kubernetes-"
ESO_ROLE = "external-secrets"
# The chart names its controller's service account after the release unless
# told otherwise; the release sets this name explicitly so it cannot change.
ESO_SERVICE_ACCOUNT = "external-secrets"
ESO_NAMESPACE = "external-secrets"
ESO_POLICY_TEMPLATE = "wildside-{cluster}-eso"
# AppRole alternative: one role per cluster on the shared AppRole mount.
ESO_APPROLE_TEMPLATE = "wildside-{cluster}-eso"

AuthMethod = Literal["kubernetes", "approle"]
AUTH_METHODS: tuple[str, ...] = get_args(AuthMethod)
KvVersion = Literal["v2"]

_CLUSTER_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_ADDRESS = re.compile(r"^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~-]+)*/?$")
# Vault mount paths as they appear in the store; nested mounts are not supported
# by the Vault set-up (its policy paths), so neither are they here.
_MOUNT = re.compile(r"^[A-Za-z0-9_.-]+$")
_PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----", re.DOTALL)


def _cluster(cluster: str) -> str:
    # Cluster names reach Vault paths and policy names; only DNS labels pass.
    if not _CLUSTER_NAME.match(cluster):
        raise ValueError(f"cluster name {cluster!r} is not a DNS label")
    return cluster


def auth_mount(cluster: str) -> str:
    """The auth mount path (without ``auth/``) of ``cluster``'s Kubernetes auth method."""
    return f"{AUTH_MOUNT_PREFIX}{_cluster(cluster)}"


def policy_name(cluster: str) -> str:
    """The Vault policy granting ``cluster``'s ESO read access to its own secrets."""
    return ESO_POLICY_TEMPLATE.format(cluster=_cluster(cluster))


def approle_role_name(cluster: str) -> str:
    """The AppRole role whose secret ID ``cluster``'s ESO logs in with (auth = "approle")."""
    return ESO_APPROLE_TEMPLATE.format(cluster=_cluster(cluster))


def pem_certificates(text: str) -> tuple[str, ...]:
    """Each ``CERTIFICATE`` block of ``text``, rewrapped at 64 columns as RFC 7468 has it."""
    blocks = []
    for label, body in _PEM_BLOCK.findall(text):
        if label == "CERTIFICATE":
            flat = "".join(body.split())
            lines = "\n".join(flat[i : i + 64] for i in range(0, len(flat), 64))
            blocks.append(f"-----BEGIN CERTIFICATE-----\n{lines}\n-----END CERTIFICATE-----")
    return tuple(blocks)


def ca_bundle_base64(text: str) -> str:
    """The bundle as the store's ``caBundle``: base64 of the PEM, one line.

    A single line substitutes safely into YAML; multi-line PEM would not.
    """
    pem = "\n".join(pem_certificates(text)) + "\n"
    return base64.b64encode(pem.encode("ascii")).decode("ascii")


def _pem_problems(where: str, text: str) -> list[Problem]:
    if not text.strip():
        return []
    blocks = _PEM_BLOCK.findall(text)
    if not blocks or _PEM_BLOCK.sub("", text).strip():
        return [
            Problem(
                where,
                "is not PEM: give the CA certificate(s) that signed Vault's certificate as "
                "'-----BEGIN CERTIFICATE-----' blocks and nothing else, or leave it empty "
                "to trust the public CAs",
            )
        ]
    found: list[Problem] = []
    for index, (label, body) in enumerate(blocks, 1):
        if label != "CERTIFICATE":
            found.append(
                Problem(
                    where,
                    f"block {index} is a {label}, not a CERTIFICATE: only public CA "
                    "certificates belong here, since the bundle is published to the GitOps "
                    "repository",
                )
            )
            continue
        try:
            der = base64.b64decode("".join(body.split()), validate=True)
        except binascii.Error:
            der = b""
        # DER certificates are ASN.1 SEQUENCEs: a first byte of 0x30.
        if not der.startswith(b"\x30"):
            found.append(Problem(where, f"certificate {index} is not valid base64 DER"))
    return found


@dataclass(frozen=True)
class ControllerResources(Resources):
    cpu_request: str = "50m"
    memory_request: str = "64Mi"
    cpu_limit: str = "200m"
    memory_limit: str = "256Mi"


@dataclass(frozen=True)
class CertControllerResources(SmallResources):
    cpu_limit: str = "100m"


@dataclass(frozen=True)
class AppRoleRef:
    """Where the store finds an AppRole pair: a Secret CI creates in the cluster.

    Neither the role ID nor the secret ID is ever rendered; the store only
    names the Secret (in the ESO namespace) and its keys.
    """

    mount: str = "approle"
    secret_name: str = "vault-approle"  # noqa: S105 - a name, not a secret
    role_id_key: str = "role_id"
    secret_id_key: str = "secret_id"  # noqa: S105 - a name, not a secret

    def problems(self, where: str) -> list[Problem]:
        found = text_problems(
            f"{where}.mount", self.mount, _MOUNT, "a Vault auth mount path without slashes"
        )
        found += text_problems(
            f"{where}.secret_name",
            self.secret_name,
            DNS_SUBDOMAIN,
            "a Secret name (lower-case DNS subdomain)",
        )
        for name in ("role_id_key", "secret_id_key"):
            found += text_problems(
                f"{where}.{name}",
                getattr(self, name),
                SECRET_KEY,
                "a Secret key (letters, digits, '-', '_', '.')",
            )
        return found


@dataclass(frozen=True)
class VaultEsoSettings:
    """ESO's release and how its store reaches and logs in to the shared Vault."""

    # Required while vault_eso is enabled; the empty default makes it a problem
    # to leave out rather than a silently wrong address.
    address: str = ""
    # Public CA data (PEM), not a secret; empty trusts the public CAs.
    ca_bundle: str = ""
    kv_mount: str = "secret"
    kv_version: KvVersion = "v2"
    # "kubernetes" needs no static credential anywhere: ESO logs in with its
    # own service-account token. "approle" reads a Secret CI creates.
    auth: AuthMethod = "kubernetes"
    approle: AppRoleRef = field(default_factory=AppRoleRef)
    replicas: int = 1
    webhook_replicas: int = 2
    cert_controller_replicas: int = 1
    # A budget of one unavailable pod never blocks a node drain, whatever the count.
    pdb_enabled: bool = True
    resources: ControllerResources = field(default_factory=ControllerResources)
    webhook_resources: SmallResources = field(default_factory=SmallResources)
    cert_controller_resources: CertControllerResources = field(
        default_factory=CertControllerResources
    )

    def workloads(self) -> list[Workload]:
        return [
            Workload("controller", self.replicas, self.resources),
            Workload("webhook", self.webhook_replicas, self.webhook_resources),
            Workload(
                "cert-controller", self.cert_controller_replicas, self.cert_controller_resources
            ),
        ]

    def problems(self, where: str) -> list[Problem]:
        found = self._address_problems(f"{where}.address")
        found += _pem_problems(f"{where}.ca_bundle", self.ca_bundle)
        found += text_problems(
            f"{where}.kv_mount",
            self.kv_mount,
            _MOUNT,
            "a KV mount path without slashes (letters, digits, '_', '.', '-')",
        )
        if self.auth not in AUTH_METHODS:
            choices = ", ".join(repr(a) for a in AUTH_METHODS)
            found.append(Problem(f"{where}.auth", f"must be one of {choices}, got {self.auth!r}"))
        if self.auth == "approle":
            found += self.approle.problems(f"{where}.approle")
        for name in ("replicas", "webhook_replicas", "cert_controller_replicas"):
            if not 1 <= getattr(self, name) <= 10:
                found.append(Problem(f"{where}.{name}", "must be between 1 and 10"))
        for name in ("resources", "webhook_resources", "cert_controller_resources"):
            found += getattr(self, name).problems(f"{where}.{name}")
        return found

    def _address_problems(self, where: str) -> list[Problem]:
        if not self.address:
            return [
                Problem(
                    where,
                    "is required while vault_eso is enabled: give Vault's https:// URL "
                    "(e.g. https://vault.example.com:8200), or switch vault_eso off",
                )
            ]
        if urlsplit(self.address).scheme != "https":
            return [
                Problem(
                    where,
                    f"{self.address!r} must be an https:// URL: ESO sends its credentials "
                    "to Vault, never over plain HTTP",
                )
            ]
        if not _ADDRESS.match(self.address):
            return [
                Problem(
                    where,
                    f"{self.address!r} is not a Vault URL such as https://vault.example.com:8200 "
                    "(a host, an optional port and path; no credentials, query or spaces)",
                )
            ]
        return []

    def requires(self) -> dict[str, str]:
        return {}

    def login_mount(self, cluster: str) -> str:
        """The Vault auth mount the store logs in through on ``cluster``."""
        return auth_mount(cluster) if self.auth == "kubernetes" else self.approle.mount


@dataclass(frozen=True)
class VaultContract:
    """What other components and users consume from vault_eso on one cluster."""

    secret_store: str
    secret_store_unit: str
    address: str
    kv_mount: str
    kv_version: str
    auth_method: str
    auth_mount: str
    namespace: str
    service_account: str

    @property
    def secret_store_ref(self) -> dict[str, str]:
        """An ExternalSecret's ``spec.secretStoreRef``."""
        return {"kind": "ClusterSecretStore", "name": self.secret_store}
