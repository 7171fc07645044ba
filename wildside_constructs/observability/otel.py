"""The OpenTelemetry Operator's values and the platform's one collector.

The collector receives OTLP over gRPC (4317) and HTTP (4318), bounds its
memory, batches, and exports traces to the configured backend. Without a
backend the traces pipeline ends in the ``debug`` exporter at ``basic``
verbosity: the configuration stays valid, and the collector's log says how
many spans arrived and that nothing keeps them. Logs, when on, go to
OpenSearch through the contrib ``opensearch`` exporter, which is alpha
upstream: the collector image is pinned (``OTEL_COLLECTOR_IMAGE``), and an
upgrade must be read against the exporter's changelog.

Shapes differ (which exporters exist), so each combination is a variant
folder; per-cluster values (the endpoints) are substitutions. The collector's
own ``${env:...}`` references are written ``$${env:...}``, Flux's escape,
so Flux leaves them for the collector.
"""

from __future__ import annotations

from typing import Any

from wildside_constructs import flux
from wildside_constructs.platform.values import resource_values
from wildside_constructs.settings.observability import OTEL_COLLECTOR_IMAGE

COLLECTOR = "otel"
# The operator names the collector's Service <name>-collector.
OTLP_GRPC = f"http://{COLLECTOR}-collector.monitoring.svc:4317"
OTLP_HTTP = f"http://{COLLECTOR}-collector.monitoring.svc:4318"
TRACE_TOKEN_SECRET = "otlp-trace-token"  # noqa: S105 - a Secret name
OPENSEARCH_SECRET = "opensearch-credentials"  # noqa: S105 - a Secret name
TOKEN_DIR = "/etc/otel/trace-token"  # noqa: S105 - a mount path
NO_BACKEND_NOTE = (
    "no trace backend configured: spans are received, counted by the debug "
    "exporter and dropped; set observability.traces.endpoint to keep them"
)


def operator_values() -> dict[str, Any]:
    return {
        "manager": {
            "collectorImage": {"repository": OTEL_COLLECTOR_IMAGE.split(":")[0]},
            "resources": {
                "requests": {"cpu": "50m", "memory": "64Mi"},
                "limits": {"cpu": "200m", "memory": "256Mi"},
            },
        },
        # The admission webhook's certificate comes from cert-manager.
        "admissionWebhooks": {"certManager": {"enabled": True}},
        "crds": {"create": True},
    }


def variant(traces: str, logs: bool) -> str:
    """Folder name for a combination: traces ``none``/``otlp``/``otlp-auth``, logs."""
    return f"collector-{traces}" + ("-opensearch" if logs else "")


def opensearch_parts() -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    """The basic-auth extension, the (alpha) OpenSearch exporter and its env."""
    auth = {
        "basicauth/opensearch": {
            "client_auth": {
                "username": "$${env:OPENSEARCH_USERNAME}",
                "password": "$${env:OPENSEARCH_PASSWORD}",
            }
        }
    }
    exporter = {
        "http": {
            "endpoint": "${obs_logs_endpoint}",
            "auth": {"authenticator": "basicauth/opensearch"},
            # true only for the operator's cluster, whose certificate is
            # self-signed by the operator (docs/observability.md).
            "tls": {"insecure_skip_verify": "${obs_logs_skip_verify}"},
        },
        # Daily indices otel-logs-YYYY.MM.DD; a CronJob deletes old ones.
        "logs_index": "otel-logs",
        "logs_index_time_format": "yyyy.MM.dd",
    }
    env = [
        {"name": name, "valueFrom": {"secretKeyRef": {"name": OPENSEARCH_SECRET, "key": key}}}
        for key, name in (("username", "OPENSEARCH_USERNAME"), ("password", "OPENSEARCH_PASSWORD"))
    ]
    return auth, exporter, env


def collector(traces: str, logs: bool, namespace: str, part_of: str) -> dict[str, Any]:
    extensions: dict[str, Any] = {"health_check": {"endpoint": "0.0.0.0:13133"}}
    exporters: dict[str, Any] = {}
    env: list[dict[str, Any]] = []
    volumes: list[dict[str, Any]] = []
    mounts: list[dict[str, Any]] = []
    if traces == "none":
        exporters["debug"] = {"verbosity": "basic"}
        trace_exporters = ["debug"]
    else:
        otlp: dict[str, Any] = {
            "endpoint": "${obs_trace_endpoint}",
            "tls": {"insecure": "${obs_trace_insecure}"},
        }
        if traces == "otlp-auth":
            extensions["bearertokenauth"] = {"filename": f"{TOKEN_DIR}/authorization"}
            otlp["auth"] = {"authenticator": "bearertokenauth"}
            volumes.append({"name": "trace-token", "secret": {"secretName": TRACE_TOKEN_SECRET}})
            mounts.append({"name": "trace-token", "mountPath": TOKEN_DIR, "readOnly": True})
        exporters["otlp"] = otlp
        trace_exporters = ["otlp"]
    pipelines: dict[str, Any] = {
        "traces": {
            "receivers": ["otlp"],
            "processors": ["memory_limiter", "batch"],
            "exporters": trace_exporters,
        }
    }
    if logs:
        auth, exporter, env = opensearch_parts()
        extensions.update(auth)
        exporters["opensearch"] = exporter
        pipelines["logs"] = {
            "receivers": ["otlp"],
            "processors": ["memory_limiter", "batch"],
            "exporters": ["opensearch"],
        }
    spec: dict[str, Any] = {
        "mode": "deployment",
        "replicas": 1,
        "image": OTEL_COLLECTOR_IMAGE,
        "resources": resource_values("obs_collector"),
        "config": {
            "extensions": extensions,
            "receivers": {
                "otlp": {
                    "protocols": {
                        "grpc": {"endpoint": "0.0.0.0:4317"},
                        "http": {"endpoint": "0.0.0.0:4318"},
                    }
                }
            },
            "processors": {
                "memory_limiter": {
                    "check_interval": "1s",
                    "limit_percentage": 80,
                    "spike_limit_percentage": 25,
                },
                "batch": {},
            },
            "exporters": exporters,
            "service": {"extensions": sorted(extensions), "pipelines": pipelines},
        },
    }
    if env:
        spec["env"] = env
    if volumes:
        spec["volumes"] = volumes
        spec["volumeMounts"] = mounts
    annotations = {"wildside.io/trace-backend": NO_BACKEND_NOTE} if traces == "none" else {}
    metadata: dict[str, Any] = {
        "name": COLLECTOR,
        "namespace": namespace,
        "labels": flux.labels(part_of),
    }
    if annotations:
        metadata["annotations"] = annotations
    return {
        "apiVersion": "opentelemetry.io/v1beta1",
        "kind": "OpenTelemetryCollector",
        "metadata": metadata,
        "spec": spec,
    }
