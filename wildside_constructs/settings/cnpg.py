"""Settings for CloudNativePG: the operator and one PostGIS ``Cluster``."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from wildside_constructs.capacity import Workload
from wildside_constructs.problems import Problem
from wildside_constructs.settings.common import Resources
from wildside_constructs.settings.datastores import (
    CredentialSource,
    Resolved,
    for_cluster,
    resolve_source,
    source_problems,
    storage_problems,
    vault_path_problems,
)
from wildside_constructs.settings.schedule import schedule_problems
from wildside_constructs.settings.text import (
    DNS_SUBDOMAIN,
    SECRET_KEY,
    namespace_list_problems,
    text_problems,
)

CNPG_CHART_VERSION = "0.26.1"
CNPG_CHART_REPOSITORY = "https://cloudnative-pg.github.io/charts"
OPERATOR_NAMESPACE = "cnpg-system"
DATABASE_NAMESPACE = "databases"
POSTGRES_PORT = 5432

# CNPG's own limits: a DNS-1035 label of at most 50 characters, leaving room
# for the pod and service suffixes it appends.
_CLUSTER_NAME = re.compile(r"^[a-z]([-a-z0-9]{0,48}[a-z0-9])?$")
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_RESERVED_ROLES = ("postgres", "streaming_replica")
_RESERVED_DATABASES = ("postgres", "template0", "template1")
# An image pinned by tag or digest: registry/path[:tag][@sha256:digest].
_IMAGE = re.compile(
    r"^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)+"
    r"(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$"
)
# S3 bucket naming rules (3-63 characters, no '..', not an IP address).
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_IPV4 = re.compile(r"^[0-9]+(\.[0-9]+){3}$")
_PREFIX = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")
_ENDPOINT = re.compile(r"^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?/?$")
# CNPG's retention policy pattern: days, weeks or months.
_RETENTION = re.compile(r"^[1-9][0-9]*[dwm]$")


@dataclass(frozen=True)
class DatabaseResources(Resources):
    """Requests and limits of each PostgreSQL instance (the anchor's defaults)."""

    cpu_request: str = "100m"
    memory_request: str = "256Mi"
    cpu_limit: str = "2"
    memory_limit: str = "2Gi"


@dataclass(frozen=True)
class DatabaseCredentials:
    """Where the superuser and application passwords come from.

    With Vault, ExternalSecrets fill ``<name>-superuser`` and ``<name>-app`` (the
    names CNPG itself would generate, so consumers see one name either way)
    from each path's ``password`` property; the user names are fixed by the
    cluster (``postgres`` and the owner). With "secret", name Secrets of type
    ``kubernetes.io/basic-auth`` you create in namespace ``databases``.
    """

    source: CredentialSource = "auto"
    superuser_secret: str = ""
    app_secret: str = ""
    superuser_vault_path: str = "wildside/${cluster_name}/cnpg/superuser"
    app_vault_path: str = "wildside/${cluster_name}/cnpg/app"

    def problems(self, where: str) -> list[Problem]:
        found = source_problems(f"{where}.source", self.source)
        found += vault_path_problems(f"{where}.superuser_vault_path", self.superuser_vault_path)
        found += vault_path_problems(f"{where}.app_vault_path", self.app_vault_path)
        if self.source == "secret":
            for name in ("superuser_secret", "app_secret"):
                found += text_problems(
                    f"{where}.{name}",
                    getattr(self, name),
                    DNS_SUBDOMAIN,
                    "the name of a Secret you create in namespace databases (source = 'secret')",
                )
        return found

    def requires(self, where: str) -> dict[str, str]:
        if self.source != "vault":
            return {}
        return {
            "vault_eso": f"{where}.source = 'vault' fills the database credentials from Vault; "
            f"or set {where}.source = 'operator' (CNPG generates them) or 'secret'"
        }

    def mode(self, enabled: Collection[str]) -> Resolved:
        return resolve_source(self.source, enabled)

    def secret_names(self, cluster: str, enabled: Collection[str]) -> tuple[str, str]:
        """(superuser Secret, application Secret) of the Cluster ``cluster``."""
        if self.mode(enabled) == "secret":
            return self.superuser_secret, self.app_secret
        return f"{cluster}-superuser", f"{cluster}-app"


@dataclass(frozen=True)
class BackupSettings:
    """Base backups and WAL archiving to an S3 bucket, on a six-field cron schedule.

    The S3 key pair is only ever referenced: an ExternalSecret reads it from
    ``vault_path`` (properties ``access_key_id`` and ``secret_access_key``)
    unless ``existing_secret`` names a Secret you create in namespace databases.
    """

    enabled: bool = False
    bucket: str = ""
    # Below the bucket; ${cluster_name} keeps clusters sharing a bucket apart.
    path: str = "wildside/${cluster_name}/cnpg"
    endpoint: str = ""
    schedule: str = "0 0 0 * * *"
    retention: str = "30d"
    existing_secret: str = ""
    access_key_id_key: str = "ACCESS_KEY_ID"
    secret_access_key_key: str = "ACCESS_SECRET_KEY"  # noqa: S105 - a key name
    vault_path: str = "wildside/${cluster_name}/cnpg/backup"

    def problems(self, where: str) -> list[Problem]:
        if not self.enabled:
            return []
        found = self._target_problems(where)
        found += schedule_problems(f"{where}.schedule", self.schedule)
        if not _RETENTION.match(self.retention):
            found.append(
                Problem(
                    f"{where}.retention",
                    f"{self.retention!r} is not a retention policy: a whole number of days, "
                    "weeks or months such as 30d, 4w or 6m",
                )
            )
        if self.existing_secret:
            found += text_problems(
                f"{where}.existing_secret",
                self.existing_secret,
                DNS_SUBDOMAIN,
                "a Secret name (lower-case DNS subdomain)",
            )
        else:
            found += vault_path_problems(f"{where}.vault_path", self.vault_path)
        for name in ("access_key_id_key", "secret_access_key_key"):
            found += text_problems(
                f"{where}.{name}", getattr(self, name), SECRET_KEY, "a Secret key"
            )
        return found

    def _target_problems(self, where: str) -> list[Problem]:
        found: list[Problem] = []
        if not self.bucket:
            found.append(Problem(f"{where}.bucket", "is required while backups are enabled"))
        elif not _BUCKET.match(self.bucket) or ".." in self.bucket or _IPV4.match(self.bucket):
            found.append(
                Problem(
                    f"{where}.bucket",
                    f"{self.bucket!r} is not an S3 bucket name: 3-63 lower-case letters, "
                    "digits, '.' and '-', starting and ending with a letter or digit",
                )
            )
        if not _PREFIX.match(for_cluster(self.path, "cluster")):
            found.append(
                Problem(
                    f"{where}.path",
                    f"{self.path!r} is not a path inside the bucket: '/'-separated names of "
                    "letters, digits, '_', '.', '-' (${cluster_name} allowed)",
                )
            )
        if urlsplit(self.endpoint).scheme != "https" or not _ENDPOINT.match(self.endpoint):
            found.append(
                Problem(
                    f"{where}.endpoint",
                    f"{self.endpoint!r} is not an https:// S3 endpoint such as "
                    "https://nyc3.digitaloceanspaces.com (the key pair must not cross "
                    "plain HTTP)",
                )
            )
        return found

    def requires(self, where: str) -> dict[str, str]:
        if not self.enabled or self.existing_secret:
            return {}
        return {
            "vault_eso": f"{where} reads the S3 key pair from Vault; without vault_eso, create "
            f"a Secret in namespace databases and name it in {where}.existing_secret"
        }

    def destination(self, cluster_name: str) -> str:
        return f"s3://{self.bucket}/{for_cluster(self.path, cluster_name)}"

    def secret_name(self, cluster: str) -> str:
        """The Secret the Cluster reads the key pair from."""
        return self.existing_secret or f"{cluster}-backup-s3"


@dataclass(frozen=True)
class CnpgSettings:
    name: str = "wildside-pg-main"
    instances: int = 3
    image: str = "ghcr.io/cloudnative-pg/postgis:16-3.4"
    storage_size: str = "50Gi"
    storage_class: str = "do-block-storage"
    database: str = "wildside"
    owner: str = "wildside_app"
    resources: DatabaseResources = field(default_factory=DatabaseResources)
    operator_resources: Resources = field(default_factory=Resources)
    credentials: DatabaseCredentials = field(default_factory=DatabaseCredentials)
    backup: BackupSettings = field(default_factory=BackupSettings)
    # Lets the postgres superuser log in (enableSuperuserAccess); off by default.
    superuser_access: bool = False
    # Namespaces allowed to reach PostgreSQL (5432); each must be a platform
    # namespace or one in cluster.app_namespaces (docs/network-policies.md).
    client_namespaces: tuple[str, ...] = ()

    def workloads(self) -> list[Workload]:
        return [
            Workload("operator", 1, self.operator_resources),
            Workload("postgres", self.instances, self.resources),
        ]

    def problems(self, where: str) -> list[Problem]:
        found = text_problems(
            f"{where}.name",
            self.name,
            _CLUSTER_NAME,
            "a CNPG cluster name: up to 50 lower-case letters, digits and '-', "
            "starting with a letter",
        )
        if not 1 <= self.instances <= 10:
            found.append(Problem(f"{where}.instances", "must be between 1 and 10"))
        found += self._image_problems(f"{where}.image")
        found += storage_problems(where, self.storage_size, self.storage_class)
        found += self._identifier_problems(where)
        found += self.resources.problems(f"{where}.resources")
        found += self.operator_resources.problems(f"{where}.operator_resources")
        found += self.credentials.problems(f"{where}.credentials")
        found += self.backup.problems(f"{where}.backup")
        found += namespace_list_problems(f"{where}.client_namespaces", self.client_namespaces)
        return found

    def _image_problems(self, where: str) -> list[Problem]:
        found = text_problems(
            where,
            self.image,
            _IMAGE,
            "an image reference such as ghcr.io/cloudnative-pg/postgis:16-3.4",
        )
        if found:
            return found
        if ":" not in self.image.rsplit("/", 1)[1] or self.image.endswith(":latest"):
            return [Problem(where, "pin a tag or digest (not 'latest') so upgrades are deliberate")]
        if "postgis" not in self.image:
            return [
                Problem(
                    where,
                    f"{self.image!r} is not a PostGIS image; the cluster creates the postgis "
                    "extensions at bootstrap, so use e.g. ghcr.io/cloudnative-pg/postgis:16-3.4",
                )
            ]
        return []

    def _identifier_problems(self, where: str) -> list[Problem]:
        found: list[Problem] = []
        checks = (
            ("database", self.database, _RESERVED_DATABASES),
            ("owner", self.owner, _RESERVED_ROLES),
        )
        for name, value, reserved in checks:
            malformed = text_problems(
                f"{where}.{name}",
                value,
                _IDENTIFIER,
                "a PostgreSQL name: up to 63 lower-case letters, digits and '_', "
                "not starting with a digit",
            )
            if malformed:
                found += malformed
            elif value in reserved or value.startswith("pg_"):
                found.append(
                    Problem(f"{where}.{name}", f"{value!r} is reserved by PostgreSQL or CNPG")
                )
        return found

    def requires(self) -> dict[str, str]:
        needed: dict[str, str] = {}
        for part in (
            self.credentials.requires("cnpg.credentials"),
            self.backup.requires("cnpg.backup"),
            {
                "cert_manager": "cnpg.backup uses the Barman Cloud plugin, whose certificates "
                "cert-manager issues; or set cnpg.backup.enabled = false"
            }
            if self.backup.enabled
            else {},
        ):
            for key, reason in part.items():
                needed[key] = f"{needed[key]}; {reason}" if key in needed else reason
        return needed


@dataclass(frozen=True)
class Endpoint:
    service: str
    host: str
    port: int


@dataclass(frozen=True)
class DatabaseContract:
    """What applications consume from cnpg on one cluster."""

    namespace: str
    operator_namespace: str
    cluster_name: str
    primary: Endpoint
    replica: Endpoint
    port: int
    database: str
    owner: str
    credentials_source: str
    superuser_secret: str
    app_secret: str
    instances: int
    pdb_enabled: bool
    backup_enabled: bool
    backup_destination: str
    backup_schedule: str
    cluster_unit: str
