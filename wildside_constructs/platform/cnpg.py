"""CloudNativePG: the operator and one PostGIS ``Cluster`` with optional S3 backups.

Units, in dependency order: ``cnpg`` (namespaces and operator), then, on
clusters that use them, ``cnpg-credentials`` and ``cnpg-backup-credentials``
(ExternalSecrets), then ``cnpg-cluster`` (the Cluster and, with backups, its
ScheduledBackup). The Cluster folder has one variant per way credentials are
supplied and per backup choice, so every file stays cluster-agnostic.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from constructs import Construct

from wildside_constructs import flux
from wildside_constructs.model import ClusterContext, DeployUnit, HelmSource
from wildside_constructs.platform.cnpg_backup import (
    cluster_plugins,
    object_store_document,
    plugin_unit,
    scheduled_backup_document,
)
from wildside_constructs.platform.component import PlatformComponent, contract_output
from wildside_constructs.platform.external_secrets import external_secret
from wildside_constructs.platform.operator import operator_unit
from wildside_constructs.platform.values import resource_values, resource_variables, unit_variables
from wildside_constructs.settings.cnpg import (
    CNPG_CHART_REPOSITORY,
    CNPG_CHART_VERSION,
    DATABASE_NAMESPACE,
    OPERATOR_NAMESPACE,
    POSTGRES_PORT,
    CnpgSettings,
    DatabaseContract,
    Endpoint,
)
from wildside_constructs.settings.datastores import Resolved, for_cluster
from wildside_constructs.settings.vault import SECRET_STORE_UNIT

SOURCE = HelmSource(name="cloudnative-pg", url=CNPG_CHART_REPOSITORY)
PART_OF = "cloudnative-pg"
UNIT = "cnpg"
CREDENTIALS_UNIT = "cnpg-credentials"
BACKUP_CREDENTIALS_UNIT = "cnpg-backup-credentials"
CLUSTER_UNIT = "cnpg-cluster"
SUPERUSER = "postgres"
# Bootstrapping a Cluster with several instances takes longer than a chart.
CLUSTER_TIMEOUT = "20m"
# Run in template1 before the application database is created from it, so
# that database (and any created later) has PostGIS from the start.
POSTGIS_SQL = (
    "CREATE EXTENSION IF NOT EXISTS postgis;",
    "CREATE EXTENSION IF NOT EXISTS postgis_topology;",
)
# CNPG reloads credentials from Secrets carrying this label when they change.
RELOAD_LABEL = {"cnpg.io/reload": "true"}


def cluster_folder(folder: str, mode: Resolved, backup: bool) -> str:
    """``cluster-generated`` (CNPG makes the credentials) or ``cluster-referenced``."""
    credentials = "generated" if mode == "operator" else "referenced"
    return f"{folder}/cluster-{credentials}{'-backup' if backup else ''}"


def service_host(service: str) -> str:
    return f"{service}.{DATABASE_NAMESPACE}.svc.cluster.local"


def cluster_document(mode: Resolved, backup: bool) -> dict[str, Any]:
    initdb: dict[str, Any] = {
        "database": "${cnpg_database}",
        "owner": "${cnpg_owner}",
        "postInitTemplateSQL": list(POSTGIS_SQL),
    }
    spec: dict[str, Any] = {
        "instances": "${cnpg_instances}",
        "imageName": "${cnpg_image}",
        "primaryUpdateStrategy": "unsupervised",
        "primaryUpdateMethod": "switchover",
        # The operator's own budgets rather than a rendered one: they follow
        # the primary through failovers and switchovers, which a fixed
        # selector cannot. With one instance a budget would only block node
        # drains, so the per-cluster value is "instances > 1".
        "enablePDB": "${cnpg_pdb_enabled}",
        # Off unless cnpg.superuser_access: applications use the owner, and a
        # superuser that can log in over the network is one more credential.
        "enableSuperuserAccess": "${cnpg_superuser_access}",
        "storage": {"size": "${cnpg_storage_size}", "storageClass": "${cnpg_storage_class}"},
        "resources": resource_values("cnpg"),
        "bootstrap": {"initdb": initdb},
    }
    if mode != "operator":
        spec["superuserSecret"] = {"name": "${cnpg_superuser_secret}"}
        initdb["secret"] = {"name": "${cnpg_app_secret}"}
    if backup:
        spec["plugins"] = cluster_plugins()
    return {
        "apiVersion": "postgresql.cnpg.io/v1",
        "kind": "Cluster",
        "metadata": {
            "name": "${cnpg_cluster_name}",
            "namespace": DATABASE_NAMESPACE,
            "labels": flux.labels(PART_OF),
        },
        "spec": spec,
    }


class Cnpg(PlatformComponent):
    def __init__(
        self, scope: Construct, id: str, *, context: ClusterContext, settings: CnpgSettings
    ) -> None:
        super().__init__(scope, id, context=context, settings=settings)
        backup = settings.backup
        self.credentials_mode = settings.credentials.mode(context.enabled)
        superuser_secret, app_secret = settings.credentials.secret_names(
            settings.name, context.enabled
        )
        rw, ro = f"{settings.name}-rw", f"{settings.name}-ro"
        # Built once: the typed attribute users read, and the stack output.
        self.database_contract = DatabaseContract(
            namespace=DATABASE_NAMESPACE,
            operator_namespace=OPERATOR_NAMESPACE,
            cluster_name=settings.name,
            primary=Endpoint(rw, service_host(rw), POSTGRES_PORT),
            replica=Endpoint(ro, service_host(ro), POSTGRES_PORT),
            port=POSTGRES_PORT,
            database=settings.database,
            owner=settings.owner,
            credentials_source=self.credentials_mode,
            superuser_secret=superuser_secret,
            app_secret=app_secret,
            instances=settings.instances,
            pdb_enabled=settings.instances > 1,
            backup_enabled=backup.enabled,
            backup_destination=backup.destination(context.name) if backup.enabled else "",
            backup_schedule=backup.schedule if backup.enabled else "",
            cluster_unit=CLUSTER_UNIT,
        )
        # Per-cluster values travel as Flux substitutions so every folder under
        # platform/databases stays byte-identical for every cluster.
        variables = {
            **resource_variables("cnpg_operator", settings.operator_resources),
            **resource_variables("cnpg", settings.resources),
            "cnpg_cluster_name": settings.name,
            "cnpg_instances": str(settings.instances),
            "cnpg_pdb_enabled": str(self.database_contract.pdb_enabled).lower(),
            "cnpg_superuser_access": str(settings.superuser_access).lower(),
            "cnpg_image": settings.image,
            "cnpg_storage_size": settings.storage_size,
            "cnpg_storage_class": settings.storage_class,
            "cnpg_database": settings.database,
            "cnpg_owner": settings.owner,
            "cnpg_superuser_secret": superuser_secret,
            "cnpg_app_secret": app_secret,
            "cnpg_superuser_vault_path": for_cluster(
                settings.credentials.superuser_vault_path, context.name
            ),
            "cnpg_app_vault_path": for_cluster(settings.credentials.app_vault_path, context.name),
        }
        if backup.enabled:
            variables |= {
                "cnpg_backup_destination": backup.destination(context.name),
                "cnpg_backup_endpoint": backup.endpoint,
                "cnpg_backup_schedule": backup.schedule,
                "cnpg_backup_retention": backup.retention,
                "cnpg_backup_secret": backup.secret_name(settings.name),
                "cnpg_backup_access_key_id_key": backup.access_key_id_key,
                "cnpg_backup_secret_access_key_key": backup.secret_access_key_key,
                "cnpg_backup_vault_path": for_cluster(backup.vault_path, context.name),
            }
        self._operator(variables)
        cluster_deps: tuple[str, ...] = (UNIT,)
        if self.credentials_mode == "vault":
            cluster_deps += (self._credentials(variables).name,)
        if backup.enabled and not backup.existing_secret:
            cluster_deps += (self._backup_credentials(variables).name,)
        if backup.enabled:
            # The ObjectStore's CRD comes with the plugin chart.
            plugin = plugin_unit(self.folder, self.use_source(SOURCE), PART_OF, UNIT)
            cluster_deps += (self.add_unit(plugin).name,)
        self._cluster(variables, cluster_deps)

    def _operator(self, variables: Mapping[str, str]) -> None:
        source = self.use_source(SOURCE)
        values: dict[str, Any] = {
            # The chart templates its CRDs with helm.sh/resource-policy: keep,
            # so uninstalling the release never deletes Clusters and their data.
            "crds": {"create": True},
            "resources": resource_values("cnpg_operator"),
        }
        self.add_unit(
            operator_unit(
                name=UNIT,
                folder=self.folder,
                namespaces=(OPERATOR_NAMESPACE, DATABASE_NAMESPACE),
                release="cloudnative-pg",
                chart="cloudnative-pg",
                version=CNPG_CHART_VERSION,
                source=source,
                values=values,
                part_of=PART_OF,
                variables=variables,
            )
        )

    def _credentials(self, variables: Mapping[str, str]) -> DeployUnit:
        """Superuser and application credentials from Vault.

        Only the password comes from Vault; the user name is the one the
        Cluster needs (``postgres``, the owner), so the two cannot disagree.
        """

        def basic_auth(secret: str, user: str, path: str) -> dict[str, Any]:
            return external_secret(
                name=secret,
                namespace=DATABASE_NAMESPACE,
                part_of=PART_OF,
                data=[("password", path, "password")],
                secret_type="kubernetes.io/basic-auth",  # noqa: S106 - a Secret type
                template_data={"username": user, "password": "{{ .password }}"},
                labels=RELOAD_LABEL,
            )

        documents = {
            "externalsecret-superuser.yaml": basic_auth(
                "${cnpg_superuser_secret}", SUPERUSER, "${cnpg_superuser_vault_path}"
            ),
            "externalsecret-app.yaml": basic_auth(
                "${cnpg_app_secret}", "${cnpg_owner}", "${cnpg_app_vault_path}"
            ),
        }
        return self.add_unit(
            DeployUnit(
                name=CREDENTIALS_UNIT,
                folder=f"{self.folder}/credentials-vault",
                documents=documents,
                depends_on=(UNIT, SECRET_STORE_UNIT),
                variables=unit_variables(documents, variables),
            )
        )

    def _backup_credentials(self, variables: Mapping[str, str]) -> DeployUnit:
        document = external_secret(
            name="${cnpg_backup_secret}",
            namespace=DATABASE_NAMESPACE,
            part_of=PART_OF,
            data=[
                ("${cnpg_backup_access_key_id_key}", "${cnpg_backup_vault_path}", "access_key_id"),
                (
                    "${cnpg_backup_secret_access_key_key}",
                    "${cnpg_backup_vault_path}",
                    "secret_access_key",
                ),
            ],
        )
        documents = {"externalsecret.yaml": document}
        return self.add_unit(
            DeployUnit(
                name=BACKUP_CREDENTIALS_UNIT,
                folder=f"{self.folder}/backup-credentials-vault",
                documents=documents,
                depends_on=(UNIT, SECRET_STORE_UNIT),
                variables=unit_variables(documents, variables),
            )
        )

    def _cluster(self, variables: Mapping[str, str], depends_on: tuple[str, ...]) -> None:
        backup = self.settings.backup.enabled
        documents = {"cluster.yaml": cluster_document(self.credentials_mode, backup)}
        if backup:
            documents["objectstore.yaml"] = object_store_document(PART_OF)
            documents["scheduledbackup.yaml"] = scheduled_backup_document(PART_OF)
        self.add_unit(
            DeployUnit(
                name=CLUSTER_UNIT,
                folder=cluster_folder(self.folder, self.credentials_mode, backup),
                documents=documents,
                depends_on=depends_on,
                variables=unit_variables(documents, variables),
                timeout=CLUSTER_TIMEOUT,
            )
        )

    def contract(self) -> dict[str, Any]:
        return contract_output(self.database_contract)
