"""cert-manager: the controller and one coherent set of Let's Encrypt ClusterIssuers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from constructs import Construct

from wildside_constructs import flux
from wildside_constructs.model import ClusterContext, DeployUnit, HelmSource
from wildside_constructs.platform.component import PlatformComponent, contract_output
from wildside_constructs.platform.external_secrets import cloudflare_token_unit, token_variables
from wildside_constructs.platform.operator import operator_unit
from wildside_constructs.platform.traefik import INGRESS_CLASS
from wildside_constructs.platform.values import resource_variables, unit_variables, workload_values
from wildside_constructs.settings.cert_manager import (
    CERT_MANAGER_CHART_VERSION,
    CertManagerContract,
    CertManagerSettings,
    IssuerRef,
)
from wildside_constructs.settings.vault import SECRET_STORE_UNIT

SOURCE = HelmSource(name="jetstack", url="oci://quay.io/jetstack/charts")
NAMESPACE = "cert-manager"
PART_OF = "cert-manager"
ISSUERS_UNIT = "cert-manager-issuers"
TOKEN_UNIT = "cert-manager-cloudflare-token"  # noqa: S105 - a name, not a secret
ACME_SERVERS = {
    "staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
    "production": "https://acme-v02.api.letsencrypt.org/directory",
}


def _cluster_issuer(name: str, server: str, solver: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "cert-manager.io/v1",
        "kind": "ClusterIssuer",
        "metadata": {"name": name, "labels": flux.labels(PART_OF)},
        "spec": {
            "acme": {
                "server": server,
                "email": "${acme_email}",
                "privateKeySecretRef": {"name": f"{name}-account-key"},
                "solvers": [solver],
            }
        },
    }


class CertManager(PlatformComponent):
    def __init__(
        self, scope: Construct, id: str, *, context: ClusterContext, settings: CertManagerSettings
    ) -> None:
        super().__init__(scope, id, context=context, settings=settings)
        self.issuers = {env: f"letsencrypt-{env}" for env in ACME_SERVERS}
        self.cert_manager_contract = CertManagerContract(
            namespace=NAMESPACE,
            solver=settings.solver,
            staging_issuer=self.issuers["staging"],
            production_issuer=self.issuers["production"],
            default_issuer=self.issuers.get(settings.default_issuer, self.issuers["production"]),
            issuer_refs={env: IssuerRef(name) for env, name in self.issuers.items()},
            issuers_unit=ISSUERS_UNIT,
        )
        vault = settings.cloudflare.from_vault(context.enabled)
        # Per-cluster values travel as Flux substitutions so every folder under
        # platform/cert-manager stays byte-identical for every cluster.
        variables = {
            "acme_email": context.acme_email,
            "cert_manager_replicas": str(settings.replicas),
            "cert_manager_webhook_replicas": str(settings.webhook_replicas),
            "cert_manager_cainjector_replicas": str(settings.cainjector_replicas),
            "cert_manager_pdb_enabled": str(settings.pdb_enabled).lower(),
            **resource_variables("cert_manager", settings.resources),
            **resource_variables("cert_manager_webhook", settings.webhook_resources),
            **resource_variables("cert_manager_cainjector", settings.cainjector_resources),
            **token_variables("cert_manager", settings.cloudflare, context.name),
        }
        self._controller(variables)
        token_deps: tuple[str, ...] = ()
        if settings.solver == "dns01-cloudflare" and vault:
            token = cloudflare_token_unit(
                name=TOKEN_UNIT,
                folder=f"{self.folder}/cloudflare-token",
                namespace=NAMESPACE,
                prefix="cert_manager",
                variables=variables,
                depends_on=("cert-manager", SECRET_STORE_UNIT),
                part_of=PART_OF,
            )
            token_deps = (self.add_unit(token).name,)
        self._issuers(variables, token_deps)

    def _controller(self, variables: Mapping[str, str]) -> None:
        source = self.use_source(SOURCE)
        pdb = "cert_manager_pdb_enabled"
        values: dict[str, Any] = {
            # Chart-managed CRDs, kept if the release is ever uninstalled so
            # certificates are not garbage-collected with them.
            "crds": {"enabled": True, "keep": True},
            **workload_values("cert_manager", pdb),
            "webhook": workload_values("cert_manager_webhook", pdb),
            "cainjector": workload_values("cert_manager_cainjector", pdb),
            "prometheus": {"enabled": True},
        }
        self.add_unit(
            operator_unit(
                name="cert-manager",
                folder=self.folder,
                namespaces=(NAMESPACE,),
                release="cert-manager",
                chart="cert-manager",
                version=CERT_MANAGER_CHART_VERSION,
                source=source,
                values=values,
                part_of=PART_OF,
                variables=variables,
            )
        )

    def _issuers(self, variables: Mapping[str, str], token_deps: tuple[str, ...]) -> None:
        solver: dict[str, Any]
        if self.settings.solver == "http01":
            solver = {"http01": {"ingress": {"ingressClassName": INGRESS_CLASS}}}
            depends_on: tuple[str, ...] = ("cert-manager", "traefik")
        else:
            secret_ref = {
                "name": "${cert_manager_cloudflare_secret_name}",
                "key": "${cert_manager_cloudflare_secret_key}",
            }
            solver = {"dns01": {"cloudflare": {"apiTokenSecretRef": secret_ref}}}
            depends_on = ("cert-manager", *token_deps)
        documents = {
            f"clusterissuer-{name}.yaml": _cluster_issuer(name, ACME_SERVERS[env], solver)
            for env, name in self.issuers.items()
        }
        # Each solver variant is its own folder: a cluster references only the
        # one it chose, and neither folder's bytes depend on that choice.
        self.add_unit(
            DeployUnit(
                name=ISSUERS_UNIT,
                folder=f"{self.folder}/issuers-{self.settings.solver}",
                documents=documents,
                depends_on=depends_on,
                variables=unit_variables(documents, variables),
            )
        )

    def contract(self) -> dict[str, Any]:
        return contract_output(self.cert_manager_contract)
