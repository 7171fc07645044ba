"""The reaper of preview login roles: one CronJob per preview cluster, not per preview.

Tearing a preview down removes its overlay; Flux prunes its ``Database`` and
CloudNativePG drops the database, but the login role ``pr_<n>`` a Job created
(CloudNativePG 1.27 has no role resource) would stay. A teardown Job inside
the overlay cannot run once the overlay is gone, so the platform side runs
this instead, in namespace ``databases`` with the credentials the role Jobs
use: a first container lists the owner of every ``Database`` left in
Kubernetes, then psql drops the marked preview roles that own no database and
appear in no such list (``wildside_constructs.preview_roles``).

It reaches PostgreSQL as the role Jobs do: from inside ``databases``, whose
``allow-same-namespace`` policy admits it (``platform/network.py``).
"""

from __future__ import annotations

from typing import Any

from wildside_constructs import flux
from wildside_constructs.cluster.flux_sync import FLUX_CLI_IMAGE, FLUX_CLI_USER
from wildside_constructs.model import DeployUnit
from wildside_constructs.preview_roles import LIVE_OWNERS_FILE, REAPER_SQL
from wildside_constructs.settings.apps import REAPER_RESOURCES

NAME = "preview-role-reaper"
NAMESPACE = "databases"
UNIT = "apps-preview-role-reaper"
SCHEDULE = "23 * * * *"
SQL_FILE = "reap-preview-roles.sql"
SQL_DIR = "/etc/preview-role-reaper"
WORKDIR = "/work"
SCRATCH = "/scratch"
# The CloudNativePG images run as postgres, uid 26 (as the role Jobs do).
POSTGRES_USER = 26
LIST_OWNERS = (
    "kubectl get databases.postgresql.cnpg.io --namespace databases --request-timeout=30s "
    "--output jsonpath='{range .items[*]}{.spec.owner}{\"\\n\"}{end}' "
    f"> {WORKDIR}/{LIVE_OWNERS_FILE}"
)


def _security(user: int) -> dict[str, Any]:
    """Pod Security "restricted" for one container, as the image's own user."""
    return {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
        "runAsUser": user,
    }


def _meta(name: str, *, substitute: bool = True) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": NAMESPACE, "labels": flux.labels("apps")}
    if not substitute:
        # SQL: its dollar signs are PostgreSQL's, never Flux variables.
        meta["annotations"] = {"kustomize.toolkit.fluxcd.io/substitute": "disabled"}
    return meta


def _resources() -> dict[str, Any]:
    return {
        "requests": {
            "cpu": REAPER_RESOURCES.cpu_request,
            "memory": REAPER_RESOURCES.memory_request,
        },
        "limits": {"cpu": REAPER_RESOURCES.cpu_limit, "memory": REAPER_RESOURCES.memory_limit},
    }


def _pod() -> dict[str, Any]:
    def secret(key: str) -> dict[str, Any]:
        return {"secretKeyRef": {"name": "${cnpg_superuser_secret}", "key": key}}

    list_owners = {
        "name": "list-database-owners",
        "image": FLUX_CLI_IMAGE,
        "command": ["/bin/sh", "-c", LIST_OWNERS],
        # kubectl keeps its discovery cache under HOME; the root is read-only.
        "env": [{"name": "HOME", "value": SCRATCH}],
        "volumeMounts": [
            {"name": "work", "mountPath": WORKDIR},
            {"name": "scratch", "mountPath": SCRATCH},
        ],
        "resources": _resources(),
        "securityContext": _security(FLUX_CLI_USER),
    }
    reap = {
        "name": "reap",
        "image": "${cnpg_image}",
        "command": [
            "psql",
            "--no-psqlrc",
            "--dbname",
            "postgres",
            "--file",
            f"{SQL_DIR}/{SQL_FILE}",
        ],
        # The script reads the owners' list from its working directory.
        "workingDir": WORKDIR,
        "env": [
            {"name": "PGHOST", "value": "${cnpg_cluster_name}-rw.databases.svc.cluster.local"},
            {"name": "PGPORT", "value": "5432"},
            {"name": "PGCONNECT_TIMEOUT", "value": "10"},
            {"name": "PGAPPNAME", "value": NAME},
            {"name": "PGUSER", "valueFrom": secret("username")},
            {"name": "PGPASSWORD", "valueFrom": secret("password")},
        ],
        "volumeMounts": [
            {"name": "work", "mountPath": WORKDIR},
            {"name": "sql", "mountPath": SQL_DIR, "readOnly": True},
        ],
        "resources": _resources(),
        "securityContext": _security(POSTGRES_USER),
    }
    return {
        "metadata": {"labels": {"app.kubernetes.io/name": NAME}},
        "spec": {
            "serviceAccountName": NAME,
            "restartPolicy": "Never",
            "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
            "initContainers": [list_owners],
            "containers": [reap],
            "volumes": [
                {"name": "work", "emptyDir": {"sizeLimit": "1Mi"}},
                {"name": "scratch", "emptyDir": {"sizeLimit": "16Mi"}},
                {"name": "sql", "configMap": {"name": NAME}},
            ],
        },
    }


def reaper_documents() -> dict[str, dict[str, Any]]:
    """File name -> document of the reaper's folder."""
    cron_job = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": _meta(NAME),
        "spec": {
            "schedule": SCHEDULE,
            "concurrencyPolicy": "Forbid",
            "startingDeadlineSeconds": 600,
            "successfulJobsHistoryLimit": 1,
            "failedJobsHistoryLimit": 3,
            "jobTemplate": {
                "spec": {"backoffLimit": 2, "activeDeadlineSeconds": 600, "template": _pod()}
            },
        },
    }
    return {
        "configmap.yaml": {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": _meta(NAME, substitute=False),
            "data": {SQL_FILE: REAPER_SQL},
        },
        "serviceaccount.yaml": {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": _meta(NAME),
            "automountServiceAccountToken": True,
        },
        # Read-only, and only the Database resources of this one namespace.
        "role.yaml": {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": _meta(NAME),
            "rules": [
                {
                    "apiGroups": ["postgresql.cnpg.io"],
                    "resources": ["databases"],
                    "verbs": ["get", "list"],
                }
            ],
        },
        "rolebinding.yaml": {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": _meta(NAME),
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": NAME},
            "subjects": [{"kind": "ServiceAccount", "name": NAME, "namespace": NAMESPACE}],
        },
        "cronjob.yaml": cron_job,
    }


def reaper_unit(
    folder: str, *, cluster_name: str, image: str, superuser_secret: str, after: tuple[str, ...]
) -> DeployUnit:
    """The reaper as one Flux unit under ``folder``, applied after ``after``.

    The cnpg cluster's name, image and superuser Secret travel as Flux
    substitutions under the names the cnpg unit uses, so the folder is the
    same for every cluster.
    """
    return DeployUnit(
        name=UNIT,
        folder=f"{folder}/preview-role-reaper",
        documents=reaper_documents(),
        depends_on=after,
        variables={
            "cnpg_cluster_name": cluster_name,
            "cnpg_image": image,
            "cnpg_superuser_secret": superuser_secret,
        },
    )
