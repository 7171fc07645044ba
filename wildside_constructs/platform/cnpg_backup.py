"""CloudNativePG backups through the Barman Cloud plugin (``barmancloud.cnpg.io/v1``).

CloudNativePG 1.26 deprecated the in-tree ``spec.backup.barmanObjectStore``
in favour of the plugin: an ``ObjectStore`` holds the bucket, endpoint and
credential references, the Cluster names it in ``spec.plugins`` as its WAL
archiver, and a ScheduledBackup uses ``method: plugin``. The plugin is a
chart of its own (pinned below) in the operator's namespace, and needs
cert-manager for its certificates. Migration from ``barmanObjectStore``:
docs/cnpg-backups.md.
"""

from __future__ import annotations

from typing import Any

from wildside_constructs import flux
from wildside_constructs.model import SOURCES, DeployUnit, HelmSource
from wildside_constructs.settings.cnpg import DATABASE_NAMESPACE, OPERATOR_NAMESPACE

# cloudnative-pg/charts tag plugin-barman-cloud-v0.7.0 (appVersion v0.13.0);
# the ObjectStore schema in ../shared/schemas is the same at v0.13.0 and v0.14.0.
PLUGIN_CHART = "plugin-barman-cloud"
PLUGIN_CHART_VERSION = "0.7.0"
PLUGIN_NAME = "barman-cloud.cloudnative-pg.io"
PLUGIN_UNIT = "cnpg-barman-cloud"
STORE_NAME = "${cnpg_cluster_name}-backup"
# The cert-manager component's operator unit: the plugin's TLS comes from it.
CERT_MANAGER_UNIT = "cert-manager"


def object_store_document(part_of: str) -> dict[str, Any]:
    def ref(key: str) -> dict[str, str]:
        return {"name": "${cnpg_backup_secret}", "key": f"${{cnpg_backup_{key}_key}}"}

    return {
        "apiVersion": "barmancloud.cnpg.io/v1",
        "kind": "ObjectStore",
        "metadata": {
            "name": STORE_NAME,
            "namespace": DATABASE_NAMESPACE,
            "labels": flux.labels(part_of),
        },
        "spec": {
            "retentionPolicy": "${cnpg_backup_retention}",
            "configuration": {
                "destinationPath": "${cnpg_backup_destination}",
                "endpointURL": "${cnpg_backup_endpoint}",
                # References only: the key pair lives in a Secret, never in Git.
                "s3Credentials": {
                    "accessKeyId": ref("access_key_id"),
                    "secretAccessKey": ref("secret_access_key"),
                },
                "wal": {"compression": "gzip"},
                "data": {"compression": "gzip"},
            },
        },
    }


def cluster_plugins() -> list[dict[str, Any]]:
    """The Cluster's ``spec.plugins``: the store archives WAL and takes base backups."""
    return [
        {
            "name": PLUGIN_NAME,
            "isWALArchiver": True,
            "parameters": {"barmanObjectName": STORE_NAME},
        }
    ]


def scheduled_backup_document(part_of: str) -> dict[str, Any]:
    return {
        "apiVersion": "postgresql.cnpg.io/v1",
        "kind": "ScheduledBackup",
        "metadata": {
            "name": "${cnpg_cluster_name}-scheduled",
            "namespace": DATABASE_NAMESPACE,
            "labels": flux.labels(part_of),
        },
        "spec": {
            "schedule": "${cnpg_backup_schedule}",
            "cluster": {"name": "${cnpg_cluster_name}"},
            "method": "plugin",
            "pluginConfiguration": {"name": PLUGIN_NAME},
            # A first base backup straight away, so WAL archiving has a base.
            "immediate": True,
            "backupOwnerReference": "self",
        },
    }


def plugin_unit(folder: str, source: HelmSource, part_of: str, depends_on: str) -> DeployUnit:
    """The plugin's HelmRelease in the operator's namespace (which that unit creates)."""
    release = flux.helm_release(
        name=PLUGIN_CHART,
        namespace=OPERATOR_NAMESPACE,
        chart=PLUGIN_CHART,
        version=PLUGIN_CHART_VERSION,
        source=source,
        values={"crds": {"create": True}},
        part_of=part_of,
    )
    return DeployUnit(
        name=PLUGIN_UNIT,
        folder=f"{folder}/barman-cloud",
        documents={"helmrelease.yaml": release},
        depends_on=(SOURCES, depends_on, CERT_MANAGER_UNIT),
    )
