"""Logs in OpenSearch: an operator-managed cluster, or an external endpoint.

Off by default: one OpenSearch data node wants about 2 GiB of memory and a
20 GiB volume, more than the rest of the stack on a small cluster
(docs/observability.md). ``operator`` installs opensearch-k8s-operator
(chart 2.8.0, the version ../shared/schemas holds) and one single-node
cluster ``logs`` with daily indices deleted after ``retention_days`` by an
ISM policy; ``external`` sends to an existing cluster, whose retention is
set there. Either way the credentials come from Vault.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wildside_constructs import flux
from wildside_constructs.model import SOURCES, ClusterContext, HelmSource
from wildside_constructs.observability.otel import OPENSEARCH_SECRET
from wildside_constructs.platform.external_secrets import external_secret
from wildside_constructs.platform.operator import operator_unit
from wildside_constructs.props.datastores import for_cluster
from wildside_constructs.props.observability import (
    NAMESPACE,
    OPENSEARCH_OPERATOR_CHART_VERSION,
    LogsSettings,
)
from wildside_constructs.props.vault import SECRET_STORE_UNIT

if TYPE_CHECKING:
    from wildside_constructs.platform.observability import Observability

PART_OF = "observability"
CLUSTER = "logs"
OPENSEARCH_VERSION = "2.19.1"
IN_CLUSTER_ENDPOINT = f"https://{CLUSTER}.{NAMESPACE}.svc:9200"
SOURCE = HelmSource(
    "opensearch-operator", "https://opensearch-project.github.io/opensearch-k8s-operator/"
)
CREDENTIALS_UNIT = "observability-logs-credentials"
OPERATOR_UNIT = "observability-logs-operator"
CLUSTER_UNIT = "observability-logs-cluster"


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


def ism_policy() -> dict[str, Any]:
    """Delete otel-logs-* indices older than the retention (no schema: see docs)."""
    return {
        "apiVersion": "opensearch.opster.io/v1",
        "kind": "OpenSearchISMPolicy",
        "metadata": {
            "name": "logs-retention",
            "namespace": NAMESPACE,
            "labels": flux.labels(PART_OF),
        },
        "spec": {
            "opensearchCluster": {"name": CLUSTER},
            "policyId": "logs-retention",
            "description": "Delete log indices after the configured retention",
            "defaultState": "hot",
            "states": [
                {
                    "name": "hot",
                    "actions": [],
                    "transitions": [
                        {
                            "stateName": "delete",
                            "conditions": {"minIndexAge": "${obs_logs_retention}"},
                        }
                    ],
                },
                {"name": "delete", "actions": [{"delete": {}}], "transitions": []},
            ],
            "ismTemplate": {"indexPatterns": ["otel-logs*"], "priority": 100},
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
                "obs_logs_retention": f"{settings.retention_days}d",
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
            {"externalsecret.yaml": secret},
            ("observability-namespace", SECRET_STORE_UNIT),
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
            {"opensearchcluster.yaml": opensearch_cluster(), "ismpolicy.yaml": ism_policy()},
            (OPERATOR_UNIT, CREDENTIALS_UNIT),
        )

    def contract(self) -> dict[str, Any]:
        return {
            "mode": self.settings.mode,
            "endpoint": self.endpoint,
            "retention_days": self.settings.retention_days if self.settings.mode != "off" else 0,
        }
