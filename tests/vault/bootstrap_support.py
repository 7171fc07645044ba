"""Shared set-up for the bootstrap tests: an uninitialized fake Vault and age keys."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

import pyrage

from tests.fakes.fake_vault import FakeVault
from tests.fakes.fake_vault_sys import FakeVaultSys
from wildside_constructs.vault_appliance.settings import (
    BootstrapSettings,
    SnapshotSettings,
    VaultApplianceSettings,
)

ROLE = "wildside-infra-k8s"
OPERATOR_TOKEN = "hvs.SENTINEL-OPERATOR-TOKEN-5e5e"


@dataclass
class World:
    fake: FakeVault
    ops: FakeVaultSys
    identity: pyrage.x25519.Identity
    appliance: VaultApplianceSettings

    def env(self, **extra: str) -> dict[str, str]:
        return {"VAULT_ADDR": self.fake.url, **extra}

    def share_values(self) -> list[str]:
        """Every form of every share and the root token the fake handed out."""
        b64 = [base64.b64encode(bytes.fromhex(k)).decode() for k in self.ops.shares]
        return [*self.ops.shares, *b64, self.ops.root_token]

    def operator(self) -> str:
        """An operator's token, as `vault operator generate-root` would give one."""
        self.fake.tokens.add(OPERATOR_TOKEN)
        self.fake.token_policies[OPERATOR_TOKEN] = ["root"]
        return OPERATOR_TOKEN

    def with_bootstrap(self, **changes: object) -> VaultApplianceSettings:
        return replace(self.appliance, bootstrap=replace(self.appliance.bootstrap, **changes))  # type: ignore[arg-type]


def appliance(recipient: str) -> VaultApplianceSettings:
    return VaultApplianceSettings(
        domain="example.com",
        vault_deb_sha256="0" * 64,
        snapshot=SnapshotSettings(
            bucket="wildside-vault", endpoint="https://nyc3.digitaloceanspaces.com"
        ),
        bootstrap=BootstrapSettings(
            recipients=(recipient,), keys_file="keys/vault-init.age", key_shares=5, key_threshold=3
        ),
    )


@contextmanager
def world() -> Iterator[World]:
    identity = pyrage.x25519.Identity.generate()
    fake = FakeVault()
    ops = FakeVaultSys.attach(fake)
    with fake.running():
        yield World(fake, ops, identity, appliance(str(identity.to_public())))
