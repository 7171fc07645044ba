"""Settings for the observability component: metrics, alerts, traces, logs.

Defaults size the stack for a small (three-node) cluster; docs/observability.md
lists what each part requests. Patterns for retention and retention size are
the Prometheus Operator CRD's own (v0.93.0).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlparse

from wildside_constructs.problems import Problem
from wildside_constructs.settings.common import _QUANTITY, Resources
from wildside_constructs.settings.text import text_problems

# Charts that ship the operator versions whose CRD schemas ../shared/schemas holds.
KUBE_PROMETHEUS_STACK_VERSION = "88.3.0"  # prometheus-operator v0.93.0
OTEL_OPERATOR_CHART_VERSION = "0.122.0"  # opentelemetry-operator v0.158.0
OPENSEARCH_OPERATOR_CHART_VERSION = "2.8.0"  # opensearch-k8s-operator v2.8.0
# The contrib collector image carries the (alpha) OpenSearch exporter; pinned.
OTEL_COLLECTOR_IMAGE = "otel/opentelemetry-collector-contrib:0.140.0"
NAMESPACE = "monitoring"

DURATION = re.compile(
    r"^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$"
)
BYTE_SIZE = re.compile(r"(^0|([0-9]*[.])?[0-9]+((K|M|G|T|E|P)i?)?B)$")
_NAME = re.compile(r"^[a-z][a-z0-9-]{0,40}$")
_VAULT_PATH = re.compile(r"^[A-Za-z0-9_${}./-]+$")
_IN_CLUSTER = (".svc", ".svc.cluster.local")


def _quantity(where: str, value: str) -> list[Problem]:
    if _QUANTITY.match(value):
        return []
    return [Problem(where, f"{value!r} is not a Kubernetes quantity (e.g. 5Gi, 500Mi)")]


@dataclass(frozen=True)
class PrometheusResources(Resources):
    cpu_request: str = "200m"
    memory_request: str = "768Mi"
    cpu_limit: str = "1"
    memory_limit: str = "1536Mi"


@dataclass(frozen=True)
class PrometheusSettings:
    retention: str = "10d"
    # Prometheus deletes the oldest blocks past this; keep it under storage_size.
    retention_size: str = "4GB"
    storage_size: str = "5Gi"
    storage_class: str = "do-block-storage"
    resources: PrometheusResources = field(default_factory=PrometheusResources)

    def problems(self, where: str) -> list[Problem]:
        found = self.resources.problems(f"{where}.resources")
        if not self.retention or not DURATION.match(self.retention):
            found.append(
                Problem(
                    f"{where}.retention", f"{self.retention!r} is not a duration (e.g. 10d, 12h)"
                )
            )
        if not BYTE_SIZE.match(self.retention_size):
            found.append(
                Problem(
                    f"{where}.retention_size",
                    f"{self.retention_size!r} is not a size in bytes (e.g. 4GB, 512MiB)",
                )
            )
        found += _quantity(f"{where}.storage_size", self.storage_size)
        return found


@dataclass(frozen=True)
class Receiver:
    """An Alertmanager receiver; its secret (URL, token, password) is in Vault.

    slack: the incoming-webhook URL is the secret; webhook: ``url`` is plain and
    Vault holds a bearer token; email: Vault holds the SMTP password.
    """

    name: str = ""
    type: Literal["webhook", "slack", "email"] = "webhook"
    vault_path: str = ""
    vault_property: str = "secret"
    url: str = ""
    channel: str = ""
    to: str = ""
    sender: str = ""
    smarthost: str = ""
    username: str = ""

    def problems(self, where: str) -> list[Problem]:
        found = text_problems(
            f"{where}.name", self.name, _NAME, "a receiver name: lower-case letters, digits, '-'"
        )
        if not self.vault_path:
            found.append(
                Problem(
                    f"{where}.vault_path",
                    f"is required: the {self.type} receiver's secret comes from Vault "
                    '(e.g. vault_path = "wildside/${cluster_name}/alerting/' + self.name + '")',
                )
            )
        elif not _VAULT_PATH.match(self.vault_path):
            found.append(Problem(f"{where}.vault_path", "is not a Vault KV path"))
        needed = {
            "webhook": ("url",),
            "slack": ("channel",),
            "email": ("to", "sender", "smarthost"),
        }
        # An unknown type is reported by the Literal check; nothing more to ask of it.
        for name in needed.get(self.type, ()):
            if not getattr(self, name):
                found.append(Problem(f"{where}.{name}", f"is required for a {self.type} receiver"))
        if self.type == "webhook" and self.url and urlparse(self.url).scheme != "https":
            found.append(Problem(f"{where}.url", "must be an https:// URL"))
        return found


@dataclass(frozen=True)
class AlertingSettings:
    """Routing: ``page`` sends critical alerts to ``page_receiver``; ``record``
    only records (everything to ``record_receiver``, or to Alertmanager's own
    list when that is empty). ``auto`` pages when cluster.environment is
    ``production`` and records otherwise."""

    mode: Literal["auto", "page", "record"] = "auto"
    page_receiver: str = ""
    record_receiver: str = ""
    receivers: tuple[Receiver, ...] = ()

    def problems(self, where: str) -> list[Problem]:
        found: list[Problem] = []
        names = [r.name for r in self.receivers]
        for index, receiver in enumerate(self.receivers):
            found += receiver.problems(f"{where}.receivers[{index}]")
        if len(set(names)) != len(names):
            found.append(Problem(f"{where}.receivers", "receiver names must be unique"))
        for key in ("page_receiver", "record_receiver"):
            value = getattr(self, key)
            if value and value not in names:
                found.append(
                    Problem(f"{where}.{key}", f"{value!r} is not one of the receivers {names}")
                )
        if self.mode == "page" and not self.page_receiver:
            found.append(Problem(f"{where}.page_receiver", "is required when mode = 'page'"))
        return found

    def pages(self, environment: str) -> bool:
        if self.mode == "auto":
            return environment == "production" and bool(self.page_receiver)
        return self.mode == "page"


@dataclass(frozen=True)
class TracesSettings:
    """The OpenTelemetry Operator and one collector receiving OTLP.

    ``endpoint`` is the trace backend's OTLP/gRPC address; empty keeps the
    pipeline valid with the ``debug`` exporter (spans are counted, not kept).
    """

    enabled: bool = True
    endpoint: str = ""
    # http:// is accepted only for in-cluster (*.svc) endpoints, and only with this.
    allow_insecure_in_cluster: bool = False
    # Optional: Vault KV path whose ``authorization`` property becomes the header.
    vault_path: str = ""
    resources: Resources = field(default_factory=Resources)

    def problems(self, where: str) -> list[Problem]:
        found = self.resources.problems(f"{where}.resources")
        if not self.endpoint:
            return found
        parsed = urlparse(self.endpoint)
        host = parsed.hostname or ""
        in_cluster = host.endswith(_IN_CLUSTER)
        if parsed.scheme == "https" and host:
            return found
        if parsed.scheme == "http" and in_cluster and self.allow_insecure_in_cluster:
            return found
        fix = (
            "use https://, or for an in-cluster http://<service>.<namespace>.svc endpoint "
            "set allow_insecure_in_cluster = true"
        )
        found.append(Problem(f"{where}.endpoint", f"{self.endpoint!r} is not allowed: {fix}"))
        return found


@dataclass(frozen=True)
class LogsSettings:
    """Logs to OpenSearch. Off by default: see docs/observability.md (footprint)."""

    mode: Literal["off", "operator", "external"] = "off"
    endpoint: str = ""
    vault_path: str = "wildside/${cluster_name}/observability/opensearch"
    retention_days: int = 14
    storage_size: str = "20Gi"

    def problems(self, where: str) -> list[Problem]:
        found = _quantity(f"{where}.storage_size", self.storage_size)
        if not 1 <= self.retention_days <= 365:
            found.append(Problem(f"{where}.retention_days", "must be between 1 and 365"))
        if self.mode == "external" and urlparse(self.endpoint).scheme != "https":
            found.append(
                Problem(f"{where}.endpoint", "an external OpenSearch needs an https:// endpoint")
            )
        return found


@dataclass(frozen=True)
class ObservabilitySettings:
    prometheus: PrometheusSettings = field(default_factory=PrometheusSettings)
    alerting: AlertingSettings = field(default_factory=AlertingSettings)
    traces: TracesSettings = field(default_factory=TracesSettings)
    logs: LogsSettings = field(default_factory=LogsSettings)
    grafana_vault_path: str = "wildside/${cluster_name}/observability/grafana"
    grafana_resources: Resources = field(default_factory=Resources)
    # A base backup older than this raises CNPGLastBackupTooOld (daily backups: 26).
    backup_max_age_hours: int = 26

    def problems(self, where: str) -> list[Problem]:
        found = self.prometheus.problems(f"{where}.prometheus")
        found += self.alerting.problems(f"{where}.alerting")
        found += self.traces.problems(f"{where}.traces")
        found += self.logs.problems(f"{where}.logs")
        found += self.grafana_resources.problems(f"{where}.grafana_resources")
        if not _VAULT_PATH.match(self.grafana_vault_path):
            found.append(Problem(f"{where}.grafana_vault_path", "is not a Vault KV path"))
        if self.logs.mode != "off" and not self.traces.enabled:
            found.append(
                Problem(
                    f"{where}.logs.mode",
                    "logs reach OpenSearch through the collector; set "
                    f"{where}.traces.enabled = true or logs.mode = 'off'",
                )
            )
        if not 1 <= self.backup_max_age_hours <= 24 * 14:
            found.append(Problem(f"{where}.backup_max_age_hours", "must be between 1 and 336"))
        return found

    def requires(self) -> dict[str, str]:
        return {
            "vault_eso": "Grafana's admin and the receivers' secrets come from Vault",
            "cert_manager": "Grafana's TLS certificate and the OpenTelemetry Operator's "
            "webhook certificate",
            "traefik": "Grafana is served at grafana.<domain> through traefik",
        }


@dataclass(frozen=True)
class LogsContract:
    """Where this cluster's logs go (``mode`` "off": nowhere, retention 0)."""

    mode: str
    endpoint: str
    retention_days: int


@dataclass(frozen=True)
class ObservabilityContract:
    """What users consume from observability on one cluster."""

    namespace: str
    prometheus_url: str
    alertmanager_url: str
    grafana_url: str
    grafana_external_url: str
    # Empty when traces are off.
    otlp_grpc_endpoint: str
    otlp_http_endpoint: str
    trace_backend: str
    traces_exported: bool
    # Whether this cluster's alerts page someone (its environment's choice).
    alerts_page: bool
    # Component keys (and "flux") with monitors and rules on this cluster.
    monitored_components: tuple[str, ...]
    logs: LogsContract
