"""vault-stack: the shared Vault appliance, applied like cluster-stack.

It has its own state object (``<key_prefix>/vault-appliance/<name>/vault-stack.tfstate``)
in the same backend as the clusters, so a cluster can be destroyed and rebuilt
without touching the Vault every cluster reads from. See docs/vault-appliance.md.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from cdktf import TerraformOutput, TerraformStack
from cdktf_cdktf_provider_digitalocean.provider import DigitaloceanProvider
from constructs import Construct

from stacks.state import StackState, configure_state
from wildside_constructs.cluster.protection import protect
from wildside_constructs.vault_appliance import (
    PROTECTED_TYPES,
    VaultAppliance,
    VaultConstructSettings,
)

STATE_FOLDER = "vault-appliance"
CONSENT = "vault_appliance.allow_destroy = true"


@dataclass(frozen=True)
class VaultStackSettings:
    appliance: VaultConstructSettings
    # The clusters' backend settings; the key is moved under vault-appliance/.
    state: StackState | None = None


def vault_state(state: StackState, name: str) -> StackState:
    """The cluster backend, keyed ``<prefix>/vault-appliance/<name>/vault-stack.tfstate``."""
    prefix = f"{state.settings.key_prefix}/{STATE_FOLDER}"
    return replace(state, cluster=name, settings=replace(state.settings, key_prefix=prefix))


class VaultStack(TerraformStack):
    def __init__(self, scope: Construct, id: str, *, settings: VaultStackSettings) -> None:
        super().__init__(scope, id)
        name = str(settings.appliance.name)
        configure_state(self, id, vault_state(settings.state or StackState(cluster=name), name))
        # The provider reads DIGITALOCEAN_TOKEN itself: no credential in the JSON.
        DigitaloceanProvider(self, "digitalocean")
        self.appliance = VaultAppliance(self, "vault", settings=settings.appliance)
        appliance = self.appliance
        TerraformOutput(self, "endpoint", value=appliance.endpoint, description="Vault's URL.")
        TerraformOutput(
            self,
            "ca_certificate",
            value=appliance.ca_certificate,
            description="PEM of the root CA the endpoint's certificate chains to.",
        )
        TerraformOutput(self, "load_balancer_id", value=appliance.load_balancer_id)
        TerraformOutput(self, "load_balancer_ip", value=appliance.load_balancer_ip)
        TerraformOutput(self, "droplet_ids", value=appliance.droplet_ids)
        TerraformOutput(self, "volume_ids", value=appliance.volume_ids)
        TerraformOutput(self, "node_private_ips", value=appliance.private_ips)
        self.protection = protect(
            self,
            allow_destroy=settings.appliance.allow_destroy,
            types=PROTECTED_TYPES,
            consent=CONSENT,
        )

    def preflight(self) -> None:
        """Run the destroy-protection check now, so a failure writes nothing."""
        self.protection.check(self)
