"""The nodes' firewall: the API to the load balancer and named ranges, Raft between peers."""

from __future__ import annotations

from typing import Any

from cdktf import Token
from cdktf_cdktf_provider_digitalocean.firewall import (
    Firewall,
    FirewallInboundRule,
    FirewallOutboundRule,
)
from constructs import Construct

from wildside_constructs.cluster.values import Ref, text
from wildside_constructs.vault_appliance.cloud_init import API_PORT, CLUSTER_PORT

EVERYWHERE = ["0.0.0.0/0", "::/0"]


class VaultFirewall(Construct):
    """Inbound: 8200 from the load balancer (and ``api_source_ranges``), 8201 only
    from the other nodes (by tag), 22 only from ``ssh_source_ranges`` — absent
    otherwise. Outbound is open: apt, Let's Encrypt's peers and Spaces."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        node_tag: str,
        load_balancer_id: str,
        api_source_ranges: tuple[str, ...] | Ref,
        ssh_source_ranges: tuple[str, ...] | Ref,
    ) -> None:
        super().__init__(scope, id)
        api = FirewallInboundRule(
            protocol="tcp",
            port_range=str(API_PORT),
            source_load_balancer_uids=[load_balancer_id],
            source_addresses=_ranges(api_source_ranges),
        )
        inbound = [
            api,
            FirewallInboundRule(
                protocol="tcp", port_range=str(CLUSTER_PORT), source_tags=[node_tag]
            ),
        ]
        if not isinstance(ssh_source_ranges, Ref) and ssh_source_ranges:
            inbound.append(
                FirewallInboundRule(
                    protocol="tcp", port_range="22", source_addresses=list(ssh_source_ranges)
                )
            )
        self.firewall = Firewall(
            self,
            "firewall",
            name=f"{text(name)}-vault",
            tags=[node_tag],
            inbound_rule=inbound,
            outbound_rule=[
                FirewallOutboundRule(
                    protocol=p, port_range="1-65535", destination_addresses=EVERYWHERE
                )
                for p in ("tcp", "udp")
            ]
            + [FirewallOutboundRule(protocol="icmp", destination_addresses=EVERYWHERE)],
        )
        if isinstance(ssh_source_ranges, Ref):
            # A module cannot know at synth whether SSH is wanted: a dynamic block
            # that renders no rule at all for an empty list.
            self.firewall.add_override("dynamic.inbound_rule", _ssh_block(ssh_source_ranges))


def _ranges(value: tuple[str, ...] | Ref) -> Any:
    if isinstance(value, Ref):
        return Token.as_list(str(value))
    return list(value) or None


def _ssh_block(ranges: Ref) -> dict[str, Any]:
    return {
        "for_each": f"${{length({ranges.expression}) > 0 ? [1] : []}}",
        "content": {"protocol": "tcp", "port_range": "22", "source_addresses": str(ranges)},
    }
