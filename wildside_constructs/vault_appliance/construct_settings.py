"""What the appliance constructs take: the settings, or Terraform expressions.

``vault-stack`` passes the configuration's plain values; the
``infra-modules/vault_appliance`` generator passes :class:`Ref` variables for
the fields a module caller sets, so one set of constructs yields both.
"""

from __future__ import annotations

from dataclasses import dataclass

from wildside_constructs.cluster.values import Ref
from wildside_constructs.vault_appliance.settings import (
    SnapshotSettings,
    VaultApplianceSettings,
)


@dataclass(frozen=True)
class VaultConstructSettings:
    name: str | Ref
    region: str | Ref
    domain: str | Ref
    vault_deb_sha256: str | Ref
    record: str | Ref = "vault"
    size: str | Ref = "s-2vcpu-4gb"
    image: str | Ref = "ubuntu-24-04-x64"
    nodes: int | Ref = 1
    volume_size_gb: int | Ref = 20
    vault_version: str | Ref = "1.17.6"
    api_source_ranges: tuple[str, ...] | Ref = ()
    ssh_source_ranges: tuple[str, ...] | Ref = ()
    ssh_keys: tuple[str, ...] | Ref = ()
    vpc_uuid: str | Ref | None = None
    tags: tuple[str, ...] | Ref = ()
    # Not expressions: Terraform reads lifecycle, and refusals happen at synth.
    allow_destroy: bool = False
    allow_public_api: bool = False
    # None: no scheduled snapshot. Its strings may be expressions too.
    snapshot: SnapshotSettings | None = None
    kv_mount: str | Ref = "secret"
    approle_mount: str | Ref = "approle"
    # Checked at construction; a module's variables carry their own validation.
    checked: VaultApplianceSettings | None = None

    @classmethod
    def from_settings(cls, s: VaultApplianceSettings) -> VaultConstructSettings:
        return cls(
            name=s.name,
            region=s.region,
            domain=s.domain,
            vault_deb_sha256=s.vault_deb_sha256,
            record=s.record,
            size=s.size,
            image=s.image,
            nodes=s.nodes,
            volume_size_gb=s.volume_size_gb,
            vault_version=s.vault_version,
            api_source_ranges=s.api_source_ranges,
            ssh_source_ranges=s.ssh_source_ranges,
            ssh_keys=s.ssh_keys,
            vpc_uuid=s.vpc_uuid or None,
            tags=s.tags,
            allow_destroy=s.allow_destroy,
            allow_public_api=s.allow_public_api,
            snapshot=s.snapshot if s.snapshot.enabled else None,
            kv_mount=s.bootstrap.kv_mount,
            approle_mount=s.bootstrap.approle_mount,
            checked=s,
        )

    @property
    def fqdn(self) -> str:
        return f"{self.record}.{self.domain}"
