"""Valkey: the hyperspike valkey-operator and one ``Valkey`` resource.

Rendered like every other component: a HelmRelease from a rendered chart
source, applied by its own Flux Kustomization. Units: ``valkey`` (namespaces
and operator), ``valkey-password`` (an ExternalSecret, only where the password
comes from Vault) and ``valkey-cluster`` (the Valkey resource, once the
operator serves its CRD).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from constructs import Construct

from wildside_constructs import flux
from wildside_constructs.model import ClusterContext, DeployUnit, HelmSource
from wildside_constructs.platform.component import PlatformComponent, contract_output
from wildside_constructs.platform.external_secrets import external_secret
from wildside_constructs.platform.operator import operator_unit
from wildside_constructs.platform.values import resource_values, resource_variables, unit_variables
from wildside_constructs.settings.datastores import Resolved, for_cluster
from wildside_constructs.settings.valkey import (
    OPERATOR_NAMESPACE,
    VALKEY_CHART_REPOSITORY,
    VALKEY_CHART_VERSION,
    VALKEY_NAMESPACE,
    VALKEY_PORT,
    ValkeyContract,
    ValkeySettings,
)
from wildside_constructs.settings.vault import SECRET_STORE_UNIT

SOURCE = HelmSource(name="valkey-operator", url=VALKEY_CHART_REPOSITORY)
PART_OF = "valkey"
UNIT = "valkey"
PASSWORD_UNIT = "valkey-password"  # noqa: S105 - a unit name, not a password
CLUSTER_UNIT = "valkey-cluster"
CLUSTER_TIMEOUT = "10m"
CLUSTER_DOMAIN = "cluster.local"


def cluster_folder(folder: str, mode: Resolved) -> str:
    """``cluster-generated`` (the operator makes the password) or ``cluster-referenced``."""
    return f"{folder}/cluster-{'generated' if mode == 'operator' else 'referenced'}"


def valkey_document(mode: Resolved) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "nodes": "${valkey_nodes}",
        "replicas": "${valkey_replicas}",
        # Clients always authenticate; the operator's PodDisruptionBudget
        # (at most one pod down) comes with the resource.
        "anonymousAuth": False,
        # The DNS suffix the operator builds node addresses from (DOKS uses the default).
        "clusterDomain": CLUSTER_DOMAIN,
        "tls": False,
        "volumePermissions": False,
        # The redis_exporter sidecar (port valkey-metrics), scraped by the
        # observability component's PodMonitor; off without observability.
        "prometheus": "${valkey_metrics}",
        "serviceMonitor": False,
        "storage": {
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "storageClassName": "${valkey_storage_class}",
                "resources": {"requests": {"storage": "${valkey_storage_size}"}},
            }
        },
        "resources": resource_values("valkey"),
    }
    if mode != "operator":
        # Without servicePassword the operator generates Secret <name>/password.
        spec["servicePassword"] = {
            "name": "${valkey_password_secret}",
            "key": "${valkey_password_key}",
        }
    return {
        "apiVersion": "hyperspike.io/v1",
        "kind": "Valkey",
        "metadata": {
            "name": "${valkey_name}",
            "namespace": VALKEY_NAMESPACE,
            "labels": flux.labels(PART_OF),
        },
        "spec": spec,
    }


class Valkey(PlatformComponent):
    def __init__(
        self, scope: Construct, id: str, *, context: ClusterContext, settings: ValkeySettings
    ) -> None:
        super().__init__(scope, id, context=context, settings=settings)
        self.credentials_mode = settings.password.mode(context.enabled)
        password_secret, password_key = settings.password.secret(settings.name, context.enabled)
        # Built once: the typed attribute users read, and the stack output.
        self.valkey_contract = ValkeyContract(
            namespace=VALKEY_NAMESPACE,
            operator_namespace=OPERATOR_NAMESPACE,
            name=settings.name,
            # The operator's client Service carries the resource's own name.
            service=settings.name,
            host=f"{settings.name}.{VALKEY_NAMESPACE}.svc.{CLUSTER_DOMAIN}",
            port=VALKEY_PORT,
            headless_service=f"{settings.name}-headless",
            cluster_mode=True,
            credentials_source=self.credentials_mode,
            password_secret=password_secret,
            password_key=password_key,
            nodes=settings.nodes,
            replicas=settings.replicas,
            cluster_unit=CLUSTER_UNIT,
        )
        variables = {
            "valkey_name": settings.name,
            "valkey_metrics": str("observability" in context.enabled).lower(),
            "valkey_nodes": str(settings.nodes),
            "valkey_replicas": str(settings.replicas),
            "valkey_storage_size": settings.storage_size,
            "valkey_storage_class": settings.storage_class,
            **resource_variables("valkey", settings.resources),
            "valkey_password_secret": password_secret,
            "valkey_password_key": password_key,
            "valkey_password_vault_path": for_cluster(settings.password.vault_path, context.name),
            "valkey_password_vault_property": settings.password.vault_property,
        }
        self._operator()
        cluster_deps: tuple[str, ...] = (UNIT,)
        if self.credentials_mode == "vault":
            cluster_deps += (self._password(variables).name,)
        documents = {"valkey.yaml": valkey_document(self.credentials_mode)}
        self.add_unit(
            DeployUnit(
                name=CLUSTER_UNIT,
                folder=cluster_folder(self.folder, self.credentials_mode),
                documents=documents,
                depends_on=cluster_deps,
                variables=unit_variables(documents, variables),
                timeout=CLUSTER_TIMEOUT,
            )
        )

    def _operator(self) -> None:
        source = self.use_source(SOURCE)
        # The chart is generated from the operator's kustomize manifests; its
        # defaults (one controller, CRDs in crds/) are what this platform wants.
        self.add_unit(
            operator_unit(
                name=UNIT,
                folder=self.folder,
                namespaces=(OPERATOR_NAMESPACE, VALKEY_NAMESPACE),
                release="valkey-operator",
                chart="valkey-operator",
                version=VALKEY_CHART_VERSION,
                source=source,
                values={},
                part_of=PART_OF,
            )
        )

    def _password(self, variables: Mapping[str, str]) -> DeployUnit:
        document = external_secret(
            name="${valkey_password_secret}",
            namespace=VALKEY_NAMESPACE,
            part_of=PART_OF,
            data=[
                (
                    "${valkey_password_key}",
                    "${valkey_password_vault_path}",
                    "${valkey_password_vault_property}",
                )
            ],
        )
        documents = {"externalsecret.yaml": document}
        return self.add_unit(
            DeployUnit(
                name=PASSWORD_UNIT,
                folder=f"{self.folder}/password-vault",
                documents=documents,
                depends_on=(UNIT, SECRET_STORE_UNIT),
                variables=unit_variables(documents, variables),
            )
        )

    def contract(self) -> dict[str, Any]:
        return contract_output(self.valkey_contract)
