"""vault-stack synthesized once per session through app.synth.synthesise, with a
sentinel in every secret input so the tests can prove none reaches the JSON."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app.config.model import WildsideConfig
from tests.support import example_with

SENTINELS = {
    "DIGITALOCEAN_TOKEN": "sentinel-do-token-v41t",
    "AWS_ACCESS_KEY_ID": "SENTINELAKIAVAULT",
    "AWS_SECRET_ACCESS_KEY": "sentinel-aws-secret-v41t",
    "VAULT_TOKEN": "hvs.sentinel-vault-token",
    "VAULT_UNSEAL_KEYS": "sentinel-unseal-share-1\nsentinel-unseal-share-2",
    # Remote state is encrypted by default; the passphrase must reach no JSON either.
    "TF_VAR_state_passphrase": "sentinel-state-passphrase-v41t",
}
RECIPIENT = "age1" + "q" * 58
APPLIANCE: dict[str, Any] = {
    "name": "vault",
    "region": "ams3",
    "nodes": 3,
    "domain": "example.com",
    "record": "secrets",
    "vault_deb_sha256": "ab" * 32,
    "api_source_ranges": ["203.0.113.0/24"],
    "snapshot": {
        "bucket": "wildside-vault-snapshots",
        "endpoint": "https://ams3.digitaloceanspaces.com",
        "region": "ams3",
    },
    "bootstrap": {"recipients": [RECIPIENT]},
}
STATE = {
    "backend": "s3",
    "bucket": "wildside-tofu-state",
    "endpoint": "https://ams3.digitaloceanspaces.com",
}


def vault_config(**changes: Any) -> WildsideConfig:
    # No Flux bootstrap: the Kubernetes bindings are not what these tests are about.
    return example_with(
        {"state": STATE, "flux": {"bootstrap": False}, "vault_appliance": {**APPLIANCE, **changes}}
    )


@dataclass
class VaultSynth:
    outdir: Path

    def stack(self, name: str = "vault-stack") -> dict[str, Any]:
        path = self.outdir / "stacks" / name / "cdk.tf.json"
        loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return loaded

    def only(self, kind: str) -> dict[str, Any]:
        (value,) = self.stack()["resource"][kind].values()
        return dict(value)


@pytest.fixture(scope="session")
def vault_synth(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VaultSynth]:
    from app.synth import CLUSTER_STACK, SynthOptions, synthesise

    outdir = tmp_path_factory.mktemp("vault-synth") / "cdktf.out"
    with pytest.MonkeyPatch.context() as patch:
        for name, value in SENTINELS.items():
            patch.setenv(name, value)
        patch.delenv("TERRAFORM_BINARY_NAME", raising=False)
        options = SynthOptions(stacks=(CLUSTER_STACK,), outdir=outdir, publish=False)
        synthesise(vault_config(), options)
    yield VaultSynth(outdir)
    shutil.rmtree(outdir, ignore_errors=True)


def synth_vault(config: WildsideConfig) -> dict[str, Any]:
    """vault-stack in memory (cheap once the bindings are loaded)."""
    import tempfile

    from cdktf import App

    from app.runtime import prepare_node
    from app.stack_settings import vault_stack_settings

    prepare_node()
    from stacks.vault_stack import VaultStack

    settings = vault_stack_settings(
        config, {"TF_VAR_state_passphrase": SENTINELS["TF_VAR_state_passphrase"]}
    )
    assert settings is not None
    with tempfile.TemporaryDirectory(prefix="wildside-vault-test-") as tmp:
        app = App(outdir=tmp)
        VaultStack(app, "vault-stack", settings=settings).preflight()
        app.synth()
        path = Path(tmp) / "stacks" / "vault-stack" / "cdk.tf.json"
        loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded
