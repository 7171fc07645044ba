"""The Vault appliance: nodes, firewall, load balancer and name, as one construct."""

from __future__ import annotations

from cdktf import Token
from constructs import Construct

from wildside_constructs.vault_appliance.construct_settings import VaultConstructSettings
from wildside_constructs.vault_appliance.dns import VaultDnsRecord
from wildside_constructs.vault_appliance.errors import VaultApplianceError
from wildside_constructs.vault_appliance.firewall import VaultFirewall
from wildside_constructs.vault_appliance.load_balancer import VaultLoadBalancer
from wildside_constructs.vault_appliance.nodes import VaultNodes
from wildside_constructs.vault_appliance.trust import ISRG_ROOT_X1

# Resources that hold Vault's data or its public address: never destroyed by accident.
PROTECTED_TYPES = frozenset(
    {"digitalocean_droplet", "digitalocean_volume", "digitalocean_loadbalancer"}
)


class VaultAppliance(Construct):
    """Vault on ``nodes`` Droplets with Raft on block storage, behind a load balancer.

    Refuses settings that cannot work (``VaultApplianceError``, every problem at
    once) before creating anything. Its attributes are the stack's outputs.
    """

    def __init__(self, scope: Construct, id: str, *, settings: VaultConstructSettings) -> None:
        super().__init__(scope, id)
        if settings.checked is not None:
            problems = settings.checked.infrastructure_problems()
            if problems:
                raise VaultApplianceError(problems)
        self.nodes = VaultNodes(self, "nodes", settings=settings)
        tag = self.nodes.tag.name
        self.load_balancer = VaultLoadBalancer(self, "endpoint", settings=settings, node_tag=tag)
        lb = self.load_balancer.load_balancer
        self.firewall = VaultFirewall(
            self,
            "firewall",
            name=str(settings.name),
            node_tag=tag,
            load_balancer_id=lb.id,
            api_source_ranges=settings.api_source_ranges,
            ssh_source_ranges=settings.ssh_source_ranges,
        )
        self.dns = VaultDnsRecord(
            self, "dns", domain=settings.domain, record=settings.record, ip=lb.ip
        )
        self.endpoint = f"https://{settings.fqdn}"
        self.ca_certificate = ISRG_ROOT_X1
        self.load_balancer_id = lb.id
        self.load_balancer_ip = lb.ip
        self.droplet_ids = Token.as_list(str(self.nodes.droplet_ids))
        self.volume_ids = Token.as_list(str(self.nodes.volume_ids))
        self.private_ips = Token.as_list(str(self.nodes.private_ips))
