"""The Vault Droplets, each with its own block-storage volume for Raft."""

from __future__ import annotations

from cdktf import TerraformCount, TerraformResourceLifecycle
from cdktf_cdktf_provider_digitalocean.droplet import Droplet
from cdktf_cdktf_provider_digitalocean.tag import Tag
from cdktf_cdktf_provider_digitalocean.volume import Volume
from constructs import Construct

from wildside_constructs.cluster.values import Ref, number, strings, text
from wildside_constructs.vault_appliance.cloud_init import NodeScript, user_data
from wildside_constructs.vault_appliance.construct_settings import VaultConstructSettings


class VaultNodes(Construct):
    """``count`` Droplets and volumes, tagged ``<name>`` for the firewall and load balancer.

    One resource with ``count`` (not one per node in Python) keeps a module's
    ``nodes`` variable and the stack's configuration rendering the same way.
    The volume holds Raft's data, so a rebuilt Droplet keeps its secrets.
    """

    def __init__(self, scope: Construct, id: str, *, settings: VaultConstructSettings) -> None:
        super().__init__(scope, id)
        protect = TerraformResourceLifecycle(prevent_destroy=not settings.allow_destroy)
        name = text(settings.name)
        count = TerraformCount.of(number(settings.nodes) or 1)
        self.tag = Tag(self, "tag", name=name)
        self.volumes = Volume(
            self,
            "data",
            count=count,
            name=f"{name}-data-${{count.index + 1}}",
            region=text(settings.region),
            size=number(settings.volume_size_gb) or 1,
            initial_filesystem_type="ext4",
            description="Vault Raft storage",
            lifecycle=protect,
        )
        volume = f"digitalocean_volume.{self.volumes.friendly_unique_id}"
        snapshot = settings.snapshot
        script = NodeScript(
            name=name,
            fqdn=settings.fqdn,
            nodes=str(settings.nodes),
            vault_version=text(settings.vault_version),
            vault_deb_sha256=text(settings.vault_deb_sha256),
            snapshot_enabled=snapshot is not None,
            snapshot_bucket=snapshot.bucket if snapshot else "",
            snapshot_endpoint=snapshot.endpoint if snapshot else "",
            snapshot_region=snapshot.region if snapshot else "",
            snapshot_prefix=snapshot.prefix if snapshot else "",
            snapshot_schedule=snapshot.schedule if snapshot else "",
            kv_mount=text(settings.kv_mount),
            approle_mount=text(settings.approle_mount),
            credentials_path=snapshot.credentials_path if snapshot else "",
        )
        self.droplets = Droplet(
            self,
            "node",
            count=count,
            name=f"{name}-${{count.index + 1}}",
            region=text(settings.region),
            size=text(settings.size),
            image=text(settings.image),
            vpc_uuid=text(settings.vpc_uuid) if settings.vpc_uuid is not None else None,
            ssh_keys=strings(settings.ssh_keys),
            tags=[self.tag.name, *settings.tags] if not isinstance(settings.tags, Ref) else None,
            volume_ids=[f"${{{volume}[count.index].id}}"],
            monitoring=True,
            ipv6=False,
            user_data=user_data(script),
            lifecycle=protect,
        )
        if isinstance(settings.tags, Ref):
            tag = f"digitalocean_tag.{self.tag.friendly_unique_id}.name"
            self.droplets.add_override("tags", f"${{concat([{tag}], {settings.tags.expression})}}")
        droplet = f"digitalocean_droplet.{self.droplets.friendly_unique_id}"
        self.droplet_ids = Ref(f"{droplet}[*].id")
        self.volume_ids = Ref(f"{volume}[*].id")
        self.private_ips = Ref(f"{droplet}[*].ipv4_address_private")
