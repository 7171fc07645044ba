"""sops: Secrets kept in Git, encrypted with SOPS and age, decrypted by Flux in the cluster.

Units: ``sops-age-key`` (an ExternalSecret that copies the cluster's age
private key from Vault into ``flux-system/sops-age``, the Secret Flux's
kustomize-controller decrypts with) and ``secrets``, a Flux Kustomization
with SOPS decryption applying ``platform/secrets/clusters/<cluster>/``. That
folder is written by ``wildside secrets`` (never rendered here), so a cluster
only ever receives the files encrypted to its own key; clusters without sops
have no ``secrets`` Kustomization and never apply them.
"""

from __future__ import annotations

from typing import Any

from constructs import Construct

from wildside_constructs.model import FLUX_NAMESPACE, ClusterContext, DeployUnit
from wildside_constructs.platform.component import PlatformComponent, contract_output
from wildside_constructs.platform.external_secrets import external_secret
from wildside_constructs.platform.values import unit_variables
from wildside_constructs.settings.datastores import for_cluster
from wildside_constructs.settings.sops import (
    AGE_KEY_SECRET,
    AGE_KEY_SECRET_KEY,
    SopsContract,
    SopsSettings,
)
from wildside_constructs.settings.vault import SECRET_STORE_UNIT

PART_OF = "sops"
KEY_UNIT = "sops-age-key"
SECRETS_UNIT = "secrets"


class Sops(PlatformComponent):
    def __init__(
        self, scope: Construct, id: str, *, context: ClusterContext, settings: SopsSettings
    ) -> None:
        super().__init__(scope, id, context=context, settings=settings)
        self.sops_contract = SopsContract(
            secrets_folder=f"{self.folder}/clusters/{context.name}",
            secrets_unit=SECRETS_UNIT,
            age_key_secret=f"{FLUX_NAMESPACE}/{AGE_KEY_SECRET}",
            age_recipients=tuple(settings.age_recipients),
        )
        variables = {
            "sops_vault_path": for_cluster(settings.vault_path, context.name),
            "sops_vault_property": settings.vault_property,
        }
        documents = {
            "externalsecret.yaml": external_secret(
                name=AGE_KEY_SECRET,
                namespace=FLUX_NAMESPACE,
                part_of=PART_OF,
                data=[(AGE_KEY_SECRET_KEY, "${sops_vault_path}", "${sops_vault_property}")],
            )
        }
        self.add_unit(
            DeployUnit(
                name=KEY_UNIT,
                folder=f"{self.folder}/age-key",
                documents=documents,
                depends_on=(SECRET_STORE_UNIT,),
                variables=unit_variables(documents, variables),
            )
        )
        self.add_unit(
            DeployUnit(
                name=SECRETS_UNIT,
                folder=self.sops_contract.secrets_folder,
                documents={},
                depends_on=(KEY_UNIT,),
                decryption_secret=AGE_KEY_SECRET,
                renders_folder=False,
            )
        )

    def contract(self) -> dict[str, Any]:
        return contract_output(self.sops_contract)
