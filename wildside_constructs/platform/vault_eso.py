"""External Secrets Operator and the ClusterSecretStore for the shared Vault."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from constructs import Construct

from wildside_constructs import flux
from wildside_constructs.model import ClusterContext, DeployUnit, HelmSource
from wildside_constructs.platform.component import PlatformComponent
from wildside_constructs.platform.operator import operator_unit
from wildside_constructs.platform.values import resource_variables, unit_variables, workload_values
from wildside_constructs.settings.vault import (
    CLUSTER_SECRET_STORE,
    ESO_CHART_REPOSITORY,
    ESO_CHART_VERSION,
    ESO_NAMESPACE,
    ESO_ROLE,
    ESO_SERVICE_ACCOUNT,
    SECRET_STORE_UNIT,
    VaultContract,
    VaultEsoSettings,
    ca_bundle_base64,
)

SOURCE = HelmSource(name="external-secrets", url=ESO_CHART_REPOSITORY)
RELEASE = "external-secrets"
PART_OF = "external-secrets"
UNIT = "vault"


def store_folder(folder: str, settings: VaultEsoSettings) -> str:
    """The store's folder under ``folder``: one per auth method, with or without a CA bundle.

    Flux substitutes text and re-reads YAML, so an empty ``caBundle`` would
    arrive as null rather than "": a cluster without a private CA uses the
    variant without the field instead. Every variant is cluster-agnostic.
    """
    return f"{folder}/secret-store-{settings.auth}{'-ca' if settings.ca_bundle.strip() else ''}"


def _auth(settings: VaultEsoSettings) -> dict[str, Any]:
    if settings.auth == "kubernetes":
        # Role and service account are the same on every cluster; only the
        # mount (one per cluster) differs.
        return {
            "kubernetes": {
                "mountPath": "${vault_eso_auth_mount}",
                "role": ESO_ROLE,
                "serviceAccountRef": {"name": ESO_SERVICE_ACCOUNT, "namespace": ESO_NAMESPACE},
            }
        }

    # References only: the role ID and secret ID stay in a Secret CI creates.
    def ref(key: str) -> dict[str, str]:
        return {
            "name": "${vault_eso_approle_secret_name}",
            "namespace": ESO_NAMESPACE,
            "key": f"${{vault_eso_approle_{key}_key}}",
        }

    return {
        "appRole": {
            "path": "${vault_eso_approle_mount}",
            "roleRef": ref("role_id"),
            "secretRef": ref("secret_id"),
        }
    }


def cluster_secret_store(settings: VaultEsoSettings) -> dict[str, Any]:
    vault: dict[str, Any] = {
        "server": "${vault_eso_address}",
        "path": "${vault_eso_kv_mount}",
        "version": settings.kv_version,
        "auth": _auth(settings),
    }
    if settings.ca_bundle.strip():
        vault["caBundle"] = "${vault_eso_ca_bundle}"
    return {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ClusterSecretStore",
        "metadata": {"name": CLUSTER_SECRET_STORE, "labels": flux.labels(PART_OF)},
        "spec": {
            "provider": {"vault": vault},
            # A Vault restart or a sealed node should not fail every sync at once.
            "retrySettings": {"maxRetries": 5, "retryInterval": "10s"},
        },
    }


class VaultEso(PlatformComponent):
    """The operator in one unit, the store in a second that waits for its CRDs."""

    def __init__(
        self, scope: Construct, id: str, *, context: ClusterContext, settings: VaultEsoSettings
    ) -> None:
        super().__init__(scope, id, context=context, settings=settings)
        # Built once: the typed attribute users read, and the stack output.
        self.vault = VaultContract(
            secret_store=CLUSTER_SECRET_STORE,
            secret_store_unit=SECRET_STORE_UNIT,
            address=settings.address,
            kv_mount=settings.kv_mount,
            kv_version=settings.kv_version,
            auth_method=settings.auth,
            auth_mount=settings.login_mount(context.name),
            namespace=ESO_NAMESPACE,
            service_account=ESO_SERVICE_ACCOUNT,
        )
        approle = settings.approle
        # Per-cluster values travel as Flux substitutions so every folder under
        # platform/vault stays byte-identical for every cluster.
        variables = {
            "vault_eso_replicas": str(settings.replicas),
            "vault_eso_webhook_replicas": str(settings.webhook_replicas),
            "vault_eso_cert_controller_replicas": str(settings.cert_controller_replicas),
            "vault_eso_pdb_enabled": str(settings.pdb_enabled).lower(),
            # Vault reviews each login with the caller's own token, so ESO's
            # account needs system:auth-delegator; AppRole logins do not.
            "vault_eso_auth_delegator": str(settings.auth == "kubernetes").lower(),
            **resource_variables("vault_eso", settings.resources),
            **resource_variables("vault_eso_webhook", settings.webhook_resources),
            **resource_variables("vault_eso_cert_controller", settings.cert_controller_resources),
            "vault_eso_address": settings.address,
            "vault_eso_kv_mount": settings.kv_mount,
            "vault_eso_auth_mount": self.vault.auth_mount,
            "vault_eso_approle_mount": approle.mount,
            "vault_eso_approle_secret_name": approle.secret_name,
            "vault_eso_approle_role_id_key": approle.role_id_key,
            "vault_eso_approle_secret_id_key": approle.secret_id_key,
        }
        if settings.ca_bundle.strip():
            variables["vault_eso_ca_bundle"] = ca_bundle_base64(settings.ca_bundle)
        self._operator(variables)
        store = {"clustersecretstore.yaml": cluster_secret_store(settings)}
        self.add_unit(
            DeployUnit(
                name=SECRET_STORE_UNIT,
                folder=store_folder(self.folder, settings),
                documents=store,
                depends_on=(UNIT,),
                variables=unit_variables(store, variables),
            )
        )

    def _operator(self, variables: Mapping[str, str]) -> None:
        source = self.use_source(SOURCE)
        pdb = "vault_eso_pdb_enabled"
        values: dict[str, Any] = {
            "installCRDs": True,
            # Kept if the release is ever uninstalled: deleting the CRDs would
            # delete every ExternalSecret and, with it, the Secrets it owns.
            "crds": {"annotations": {"helm.sh/resource-policy": "keep"}},
            # Fixed names, so the account Vault's role binds cannot drift with
            # the release name.
            "fullnameOverride": RELEASE,
            "serviceAccount": {"create": True, "name": ESO_SERVICE_ACCOUNT},
            "systemAuthDelegator": "${vault_eso_auth_delegator}",
            # Several controller replicas must not reconcile the same objects.
            "leaderElect": True,
            **workload_values("vault_eso", pdb),
            "webhook": workload_values("vault_eso_webhook", pdb),
            "certController": workload_values("vault_eso_cert_controller", pdb),
        }
        self.add_unit(
            operator_unit(
                name=UNIT,
                folder=self.folder,
                namespaces=(ESO_NAMESPACE,),
                release=RELEASE,
                chart="external-secrets",
                version=ESO_CHART_VERSION,
                source=source,
                values=values,
                part_of=PART_OF,
                variables=variables,
            )
        )

    def contract(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self.vault), "secret_store_ref": self.vault.secret_store_ref}
