"""``infra-modules/vault_appliance``: the appliance constructs with variables as inputs."""

from __future__ import annotations

from cdktf import TerraformOutput, TerraformStack, Token
from cdktf_cdktf_provider_digitalocean.provider import DigitaloceanProvider
from constructs import Construct

from stacks.module_stacks import _rules as rules
from stacks.module_stacks import _variable as variable
from wildside_constructs.cluster.protection import protect
from wildside_constructs.vault_appliance import (
    PROTECTED_TYPES,
    SnapshotSettings,
    VaultAppliance,
    VaultConstructSettings,
)

_WORLD = '["0.0.0.0/0", "::/0"]'


class VaultApplianceModuleStack(TerraformStack):
    """The same resources vault-stack declares; validation moves into the variables."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        DigitaloceanProvider(self, "digitalocean")

        def text(name: str, description: str, **extra: object) -> str:
            return str(variable(self, name, "string", description, **extra))

        allow_public = variable(
            self, "allow_public_api", "bool", "Consent to 0.0.0.0/0 or ::/0 on 8200.", default=False
        )
        api_ranges = variable(
            self,
            "api_source_ranges",
            "list(string)",
            "CIDR ranges that may reach 8200 on the nodes besides the load balancer.",
            default=[],
        )
        ssh_ranges = variable(
            self,
            "ssh_source_ranges",
            "list(string)",
            "CIDR ranges allowed to SSH; empty keeps port 22 closed.",
            default=[],
            validation=rules(
                (
                    f"length(setintersection(var.ssh_source_ranges, {_WORLD})) == 0",
                    "SSH is never open to the whole internet.",
                )
            ),
        )
        settings = VaultConstructSettings(
            name=text("name", "Appliance name (a DNS label).", default="vault"),
            region=text("region", "DigitalOcean region slug.", default="nyc3"),
            domain=text("domain", "DNS zone managed in DigitalOcean."),
            record=text("record", "Record name in the zone.", default="vault"),
            vault_deb_sha256=text(
                "vault_deb_sha256",
                "SHA-256 of vault_<version>-1_amd64.deb.",
                validation=rules(
                    ('can(regex("^[0-9a-f]{64}$", var.vault_deb_sha256))', "64 hex digits.")
                ),
            ),
            vault_version=text("vault_version", "Exact Vault release.", default="1.17.6"),
            size=text("size", "Droplet size slug.", default="s-2vcpu-4gb"),
            image=text("image", "Droplet image slug.", default="ubuntu-24-04-x64"),
            nodes=variable(
                self,
                "nodes",
                "number",
                "Raft nodes: 1, or 3 for a quorum.",
                default=1,
                validation=rules(("var.nodes >= 1 && var.nodes <= 5", "Use 1 to 5 nodes.")),
            ),
            volume_size_gb=variable(
                self, "volume_size_gb", "number", "Raft volume size (GB).", default=20
            ),
            api_source_ranges=api_ranges,
            ssh_source_ranges=ssh_ranges,
            ssh_keys=variable(self, "ssh_keys", "list(string)", "SSH key ids.", default=[]),
            vpc_uuid=text(
                "vpc_uuid", "VPC id; null joins the default.", default=Token.null_value()
            ),
            tags=variable(self, "tags", "list(string)", "Extra Droplet tags.", default=[]),
            snapshot=SnapshotSettings(
                bucket=text("snapshot_bucket", "Spaces bucket for Raft snapshots."),
                endpoint=text("snapshot_endpoint", "Spaces endpoint, https://<region>..."),
                region=text("snapshot_region", "Spaces signing region.", default="us-east-1"),
                prefix=text("snapshot_prefix", "Key prefix.", default="vault-snapshots"),
                schedule=text("snapshot_schedule", "systemd OnCalendar.", default="hourly"),
                credentials_path=text(
                    "snapshot_credentials_path",
                    "KV path holding the Spaces key pair.",
                    default="wildside/vault-appliance/snapshot",
                ),
            ),
            kv_mount=text("kv_mount", "KV v2 mount.", default="secret"),
            approle_mount=text("approle_mount", "AppRole auth mount.", default="approle"),
        )
        appliance = VaultAppliance(self, "vault", settings=settings)
        # A precondition, not a variable validation: validations may only name
        # other variables from OpenTofu 1.8 / Terraform 1.9, later than this module needs.
        appliance.firewall.firewall.add_override(
            "lifecycle.precondition",
            [
                {
                    "condition": f"${{{allow_public.expression} || length(setintersection("
                    f"{api_ranges.expression}, {_WORLD})) == 0}}",
                    "error_message": "0.0.0.0/0 or ::/0 in api_source_ranges opens Vault's API "
                    "to the internet; list narrower ranges or set allow_public_api = true.",
                }
            ],
        )
        protect(self, allow_destroy=False, types=PROTECTED_TYPES)
        outputs = {
            "endpoint": (appliance.endpoint, "Vault's URL."),
            "ca_certificate": (appliance.ca_certificate, "PEM of the endpoint's root CA."),
            "load_balancer_id": (appliance.load_balancer_id, "Load balancer id."),
            "droplet_ids": (appliance.droplet_ids, "Droplet ids."),
            "volume_ids": (appliance.volume_ids, "Volume ids."),
            "node_private_ips": (appliance.private_ips, "Private IPv4 of each node."),
        }
        for name, (value, description) in outputs.items():
            TerraformOutput(self, name, value=value, description=description)
