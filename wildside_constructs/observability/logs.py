"""Logs in OpenSearch: an operator-managed cluster, or an external endpoint.

Off by default: one OpenSearch data node wants about 2 GiB of memory and a
20 GiB volume, more than the rest of the stack on a small cluster
(docs/observability.md). ``operator`` installs opensearch-k8s-operator
(chart 2.8.0, the version ../shared/schemas holds) and one single-node
cluster ``logs``; ``external`` sends to an existing cluster. Either way a
collector DaemonSet reads every container's log on each node, the main
collector forwards OTLP logs, both write daily indices
``otel-logs-YYYY.MM.DD``, a CronJob deletes those older than
``retention_days``, and the credentials come from Vault.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wildside_constructs import flux
from wildside_constructs.model import SOURCES, ClusterContext, HelmSource
from wildside_constructs.observability.otel import OPENSEARCH_SECRET, opensearch_parts
from wildside_constructs.platform.external_secrets import external_secret
from wildside_constructs.platform.operator import operator_unit
from wildside_constructs.settings.datastores import for_cluster
from wildside_constructs.settings.observability import (
    NAMESPACE,
    OPENSEARCH_OPERATOR_CHART_VERSION,
    OTEL_COLLECTOR_IMAGE,
    LogsContract,
    LogsSettings,
)
from wildside_constructs.settings.vault import SECRET_STORE_UNIT

if TYPE_CHECKING:
    from wildside_constructs.platform.observability import Observability

PART_OF = "observability"
CLUSTER = "logs"
OPENSEARCH_VERSION = "2.19.1"
RETENTION_IMAGE = "curlimages/curl:8.11.1"
IN_CLUSTER_ENDPOINT = f"https://{CLUSTER}.{NAMESPACE}.svc:9200"
SOURCE = HelmSource(
    "opensearch-operator", "https://opensearch-project.github.io/opensearch-k8s-operator/"
)
CREDENTIALS_UNIT = "observability-logs-credentials"
OPERATOR_UNIT = "observability-logs-operator"
CLUSTER_UNIT = "observability-logs-cluster"
AGENT_UNIT = "observability-logs-agent"


def opensearch_cluster() -> dict[str, Any]:
    return {
        "apiVersion": "opensearch.opster.io/v1",
        "kind": "OpenSearchCluster",
        "metadata": {"name": CLUSTER, "namespace": NAMESPACE, "labels": flux.labels(PART_OF)},
        "spec": {
            "general": {"serviceName": CLUSTER, "version": OPENSEARCH_VERSION, "httpPort": 9200},
            "security": {
                "config": {"adminCredentialsSecret": {"name": OPENSEARCH_SECRET}},
                "tls": {"http": {"generate": True}, "transport": {"generate": True}},
            },
            "nodePools": [
                {
                    "component": "nodes",
                    "replicas": 1,
                    "roles": ["cluster_manager", "data", "ingest"],
                    "diskSize": "${obs_logs_storage_size}",
                    "jvm": "-Xms1g -Xmx1g",
                    "resources": {
                        "requests": {"cpu": "500m", "memory": "2Gi"},
                        "limits": {"cpu": "1", "memory": "2Gi"},
                    },
                }
            ],
        },
    }


RETENTION_SCRIPT = """\
set -eu
RETENTION_DAYS=${RETENTION%d}
cutoff=$(date -u -d "@$(( $(date +%s) - RETENTION_DAYS * 86400 ))" +%Y.%m.%d)
auth="$OS_USER:$OS_PASSWORD"
for index in $(curl -fsS -k -u "$auth" "$OS_ENDPOINT/_cat/indices/otel-logs-*?h=index"); do
  day=${index#otel-logs-}
  if [ "$day" \\< "$cutoff" ]; then
    echo "deleting $index (older than $RETENTION_DAYS days)"
    curl -fsS -k -u "$auth" -X DELETE "$OS_ENDPOINT/$index"
  fi
done
"""


def retention_settings() -> dict[str, Any]:
    """The per-cluster retention, substituted by Flux (the CronJob is not)."""
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": "logs-retention",
            "namespace": NAMESPACE,
            "labels": flux.labels(PART_OF),
        },
        # "14d", not 14: Flux re-reads YAML after substituting, and a bare
        # number would no longer be the string a ConfigMap needs.
        "data": {
            "RETENTION": "${obs_logs_retention_days}d",
            "OS_ENDPOINT": "${obs_logs_endpoint}",
        },
    }


def retention_job() -> dict[str, Any]:
    """Deletes daily log indices older than the retention, once a day.

    A CronJob rather than an ISM policy: the operator's OpenSearchISMPolicy
    kind has no schema to validate against, and this works for an external
    cluster too. Flux substitution is off for it (the script is shell).
    """

    def secret(key: str) -> dict[str, Any]:
        return {"secretKeyRef": {"name": OPENSEARCH_SECRET, "key": key}}

    container = {
        "name": "retention",
        "image": RETENTION_IMAGE,
        "command": ["/bin/sh", "-c", RETENTION_SCRIPT],
        "envFrom": [{"configMapRef": {"name": "logs-retention"}}],
        "env": [
            {"name": "OS_USER", "valueFrom": secret("username")},
            {"name": "OS_PASSWORD", "valueFrom": secret("password")},
        ],
        "resources": {
            "requests": {"cpu": "10m", "memory": "16Mi"},
            "limits": {"cpu": "100m", "memory": "64Mi"},
        },
        # The image runs as curl_user (uid 100); a named user cannot be checked.
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "runAsNonRoot": True,
            "runAsUser": 100,
        },
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {
            "name": "logs-retention",
            "namespace": NAMESPACE,
            "labels": flux.labels(PART_OF),
            "annotations": {"kustomize.toolkit.fluxcd.io/substitute": "disabled"},
        },
        "spec": {
            "schedule": "17 3 * * *",
            "concurrencyPolicy": "Forbid",
            "jobTemplate": {
                "spec": {
                    "backoffLimit": 2,
                    "template": {"spec": {"restartPolicy": "Never", "containers": [container]}},
                }
            },
        },
    }


def log_agent() -> dict[str, Any]:
    """A collector on every node reading container logs (``/var/log/pods``).

    The kubelet writes those files as root with mode 0640, so the agent runs
    as root, read-only, with no privilege escalation; it drops its own logs to
    avoid feeding itself.
    """
    auth, exporter, env = opensearch_parts()
    return {
        "apiVersion": "opentelemetry.io/v1beta1",
        "kind": "OpenTelemetryCollector",
        "metadata": {"name": "logs-agent", "namespace": NAMESPACE, "labels": flux.labels(PART_OF)},
        "spec": {
            "mode": "daemonset",
            "image": OTEL_COLLECTOR_IMAGE,
            "env": env,
            "resources": {
                "requests": {"cpu": "50m", "memory": "96Mi"},
                "limits": {"cpu": "250m", "memory": "256Mi"},
            },
            "securityContext": {
                "runAsUser": 0,
                "readOnlyRootFilesystem": True,
                "allowPrivilegeEscalation": False,
            },
            "volumes": [{"name": "pods", "hostPath": {"path": "/var/log/pods"}}],
            "volumeMounts": [{"name": "pods", "mountPath": "/var/log/pods", "readOnly": True}],
            "config": {
                "extensions": auth,
                "receivers": {
                    "filelog": {
                        "include": ["/var/log/pods/*/*/*.log"],
                        "exclude": [f"/var/log/pods/{NAMESPACE}_logs-agent-*/*/*.log"],
                        "start_at": "end",
                        "include_file_path": True,
                        # Parses the CRI/docker line format and the pod's names.
                        "operators": [{"type": "container"}],
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
                "exporters": {"opensearch": exporter},
                "service": {
                    "extensions": sorted(auth),
                    "pipelines": {
                        "logs": {
                            "receivers": ["filelog"],
                            "processors": ["memory_limiter", "batch"],
                            "exporters": ["opensearch"],
                        }
                    },
                },
            },
        },
    }


class LogsParts:
    """Adds the logs units to the observability construct (none when off)."""

    def __init__(
        self, owner: Observability, settings: LogsSettings, context: ClusterContext
    ) -> None:
        self.settings = settings
        self.endpoint = ""
        if settings.mode == "off":
            return
        self.endpoint = IN_CLUSTER_ENDPOINT if settings.mode == "operator" else settings.endpoint
        owner.variables.update(
            {
                "obs_logs_endpoint": self.endpoint,
                "obs_logs_vault_path": for_cluster(settings.vault_path, context.name),
                "obs_logs_storage_size": settings.storage_size,
                "obs_logs_retention_days": str(settings.retention_days),
                "obs_logs_skip_verify": str(settings.mode == "operator").lower(),
            }
        )
        secret = external_secret(
            name=OPENSEARCH_SECRET,
            namespace=NAMESPACE,
            part_of=PART_OF,
            data=[
                ("username", "${obs_logs_vault_path}", "username"),
                ("password", "${obs_logs_vault_path}", "password"),
            ],
        )
        owner._add(
            CREDENTIALS_UNIT,
            f"{owner.folder}/logs-credentials",
            {
                "externalsecret.yaml": secret,
                "retention-settings.yaml": retention_settings(),
                "retention-cronjob.yaml": retention_job(),
            },
            ("observability-namespace", SECRET_STORE_UNIT),
        )
        owner._add(
            AGENT_UNIT,
            f"{owner.folder}/logs-agent",
            {"collector.yaml": log_agent()},
            ("observability-otel-operator", CREDENTIALS_UNIT),
        )
        if settings.mode != "operator":
            return
        source = owner.use_source(SOURCE)
        unit = operator_unit(
            name=OPERATOR_UNIT,
            folder=f"{owner.folder}/logs-operator",
            namespaces=(NAMESPACE,),
            release="opensearch-operator",
            chart="opensearch-operator",
            version=OPENSEARCH_OPERATOR_CHART_VERSION,
            source=source,
            values={},
            part_of=PART_OF,
        )
        documents = {k: v for k, v in unit.documents.items() if k != "namespace.yaml"}
        owner._add(OPERATOR_UNIT, unit.folder, documents, (SOURCES, "observability-namespace"))
        owner._add(
            CLUSTER_UNIT,
            f"{owner.folder}/logs-cluster",
            {"opensearchcluster.yaml": opensearch_cluster()},
            (OPERATOR_UNIT, CREDENTIALS_UNIT),
        )

    @property
    def logs_contract(self) -> LogsContract:
        return LogsContract(
            mode=self.settings.mode,
            endpoint=self.endpoint,
            retention_days=self.settings.retention_days if self.settings.mode != "off" else 0,
        )
