# ruff: noqa: E501 - PromQL reads best unwrapped
"""Grafana dashboards as ConfigMaps for the Grafana sidecar.

None of these is published upstream in a form we can pin (the anchors list
CloudNativePG's one dashboard; Flux's are generated from its monitoring
example), so they are built here from the metrics our alerts already rely on.
Every panel names the Prometheus datasource by its pinned UID, and dashboard
variables are written ``$name``; Flux substitution is disabled on the
ConfigMaps anyway, since Grafana's syntax and Flux's overlap.
"""

from __future__ import annotations

import json
from typing import Any

from wildside_constructs import flux
from wildside_constructs.observability.stack import PROMETHEUS_UID

DATASOURCE = {"type": "prometheus", "uid": PROMETHEUS_UID}
SUBSTITUTE_DISABLED = {"kustomize.toolkit.fluxcd.io/substitute": "disabled"}


def _panel(
    index: int, title: str, expr: str, kind: str = "timeseries", unit: str = "short"
) -> dict[str, Any]:
    return {
        "id": index + 1,
        "type": kind,
        "title": title,
        "datasource": DATASOURCE,
        "gridPos": {"h": 8, "w": 12, "x": (index % 2) * 12, "y": (index // 2) * 8},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "targets": [{"refId": "A", "datasource": DATASOURCE, "expr": expr}],
    }


def _namespace_variable(metric: str) -> dict[str, Any]:
    return {
        "name": "namespace",
        "type": "query",
        "datasource": DATASOURCE,
        "query": f"label_values({metric}, namespace)",
        "refresh": 2,
        "includeAll": True,
        "multi": True,
    }


def dashboard(
    uid: str,
    title: str,
    panels: list[tuple[str, str, str, str]],
    variables: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "uid": uid,
        "title": title,
        "tags": ["wildside"],
        "timezone": "utc",
        "schemaVersion": 39,
        "refresh": "1m",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": variables or []},
        "panels": [_panel(i, *panel) for i, panel in enumerate(panels)],
    }


DASHBOARDS: dict[str, dict[str, Any]] = {
    "platform-overview": dashboard(
        "wildside-platform",
        "Platform overview",
        [
            ("Firing alerts by severity", "sum by (severity) (ALERTS{alertstate=\"firing\"})",
             "timeseries", "short"),
            ("Scrape targets down", "count by (job) (up == 0)", "stat", "short"),
            ("Node CPU used", "1 - avg by (instance) (rate(node_cpu_seconds_total{mode=\"idle\"}[$__rate_interval]))",
             "timeseries", "percentunit"),
            ("Node memory used", "1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes",
             "timeseries", "percentunit"),
            ("Flux objects not ready", "count by (customresource_kind) (gotk_resource_info{ready=\"False\"})",
             "stat", "short"),
            ("Certificates expiring (days)",
             "min by (exported_namespace, name) (certmanager_certificate_expiration_timestamp_seconds - time()) / 86400",
             "timeseries", "d"),
        ],
    ),
    "cloudnative-pg": dashboard(
        "wildside-cnpg",
        "CloudNativePG",
        [
            ("Instances up", "sum by (pod) (cnpg_collector_up{namespace=~\"$namespace\"})", "stat", "short"),
            ("Replication lag", "max by (pod) (cnpg_pg_replication_lag{namespace=~\"$namespace\"})",
             "timeseries", "s"),
            ("Last archived WAL age", "time() - max by (pod) (cnpg_pg_stat_archiver_last_archived_time{namespace=~\"$namespace\"} > 0)",
             "timeseries", "s"),
            ("Last backup age", "time() - max by (namespace) (cnpg_collector_last_available_backup_timestamp{namespace=~\"$namespace\"})",
             "stat", "s"),
            ("Volume used", "1 - kubelet_volume_stats_available_bytes{namespace=~\"$namespace\"} / kubelet_volume_stats_capacity_bytes{namespace=~\"$namespace\"}",
             "timeseries", "percentunit"),
            ("Backends", "sum by (pod) (cnpg_backends_total{namespace=~\"$namespace\"})", "timeseries", "short"),
        ],
        [_namespace_variable("cnpg_collector_up")],
    ),
    "flux": dashboard(
        "wildside-flux",
        "Flux",
        [
            ("Not ready", "gotk_resource_info{ready=\"False\"}", "table", "short"),
            ("Suspended", "gotk_resource_info{suspended=\"true\"}", "table", "short"),
            ("Reconciliations per minute", "sum by (kind) (rate(gotk_reconcile_duration_seconds_count[$__rate_interval])) * 60",
             "timeseries", "short"),
            ("Reconcile duration p95", "histogram_quantile(0.95, sum by (kind, le) (rate(gotk_reconcile_duration_seconds_bucket[$__rate_interval])))",
             "timeseries", "s"),
        ],
    ),
    "traefik": dashboard(
        "wildside-traefik",
        "Traefik",
        [
            ("Requests per second by service", "sum by (service) (rate(traefik_service_requests_total[$__rate_interval]))",
             "timeseries", "reqps"),
            ("5xx ratio by service", "sum by (service) (rate(traefik_service_requests_total{code=~\"5..\"}[$__rate_interval])) / sum by (service) (rate(traefik_service_requests_total[$__rate_interval]))",
             "timeseries", "percentunit"),
            ("p95 latency by service", "histogram_quantile(0.95, sum by (service, le) (rate(traefik_service_request_duration_seconds_bucket[$__rate_interval])))",
             "timeseries", "s"),
            ("Open connections", "sum by (entrypoint) (traefik_open_connections)", "timeseries", "short"),
        ],
    ),
    "valkey": dashboard(
        "wildside-valkey",
        "Valkey",
        [
            ("Up", "redis_up{namespace=~\"$namespace\"}", "stat", "short"),
            ("Memory used", "redis_memory_used_bytes{namespace=~\"$namespace\"}", "timeseries", "bytes"),
            ("Connected clients", "redis_connected_clients{namespace=~\"$namespace\"}", "timeseries", "short"),
            ("Commands per second", "sum by (pod) (rate(redis_commands_processed_total{namespace=~\"$namespace\"}[$__rate_interval]))",
             "timeseries", "ops"),
            ("Keyspace hit ratio", "rate(redis_keyspace_hits_total{namespace=~\"$namespace\"}[$__rate_interval]) / (rate(redis_keyspace_hits_total{namespace=~\"$namespace\"}[$__rate_interval]) + rate(redis_keyspace_misses_total{namespace=~\"$namespace\"}[$__rate_interval]))",
             "timeseries", "percentunit"),
        ],
        [_namespace_variable("redis_up")],
    ),
    # From the rabbitmq_prometheus plugin's aggregated endpoint (per node, not per queue).
    "rabbitmq": dashboard(
        "wildside-rabbitmq",
        "RabbitMQ",
        [
            ("Nodes", "count by (namespace, rabbitmq_cluster) (rabbitmq_identity_info{namespace=~\"$namespace\"})", "stat", "short"),
            ("Alarms raised", "sum by (pod) (rabbitmq_alarms_memory_used_watermark{namespace=~\"$namespace\"} + rabbitmq_alarms_free_disk_space_watermark{namespace=~\"$namespace\"} + rabbitmq_alarms_file_descriptor_limit{namespace=~\"$namespace\"})",
             "stat", "short"),
            ("Messages ready and unacknowledged", "sum by (pod) (rabbitmq_queue_messages{namespace=~\"$namespace\"})", "timeseries", "short"),
            ("Published per second", "sum by (pod) (rate(rabbitmq_global_messages_received_total{namespace=~\"$namespace\"}[$__rate_interval]))",
             "timeseries", "ops"),
            ("Delivered per second", "sum by (pod) (rate(rabbitmq_global_messages_delivered_total{namespace=~\"$namespace\"}[$__rate_interval]))",
             "timeseries", "ops"),
            ("Connections", "sum by (pod) (rabbitmq_connections{namespace=~\"$namespace\"})", "timeseries", "short"),
            ("Memory used of the watermark", "rabbitmq_process_resident_memory_bytes{namespace=~\"$namespace\"} / rabbitmq_resident_memory_limit_bytes{namespace=~\"$namespace\"}",
             "timeseries", "percentunit"),
            ("Free disk", "rabbitmq_disk_space_available_bytes{namespace=~\"$namespace\"}", "timeseries", "bytes"),
            ("File descriptors used", "rabbitmq_process_open_fds{namespace=~\"$namespace\"} / rabbitmq_process_max_fds{namespace=~\"$namespace\"}",
             "timeseries", "percentunit"),
        ],
        [_namespace_variable("rabbitmq_identity_info")],
    ),
}  # fmt: skip


def dashboard_configmap(name: str, namespace: str, part_of: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": f"dashboard-{name}",
            "namespace": namespace,
            "labels": {**flux.labels(part_of), "grafana_dashboard": "1"},
            "annotations": dict(SUBSTITUTE_DISABLED),
        },
        "data": {f"{name}.json": json.dumps(DASHBOARDS[name], indent=1, sort_keys=True)},
    }
