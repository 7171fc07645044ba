"""The Vault set-up follows the cluster's vault_eso settings, not CI's own Vault use.

Its own module, so its world (remote, Vault) starts fresh.
"""

from __future__ import annotations

from tests.action.conftest import CLUSTER, CONFIG_TOML, World


def test_the_eso_policy_grants_the_kv_mount_the_cluster_reads(world: World) -> None:
    # CI reads its own secrets from "secret"; the cluster's store reads "kv".
    toml = CONFIG_TOML.replace("[vault_eso]\n", '[vault_eso]\nkv_mount = "kv"\n')
    run = world.run("kv", toml=toml)
    assert run.ok(), run.log
    (policy,) = [text for name, text in world.vault.policies.items() if CLUSTER in name]
    assert f'"kv/data/wildside/{CLUSTER}/' in policy
    assert '"secret/data/' not in policy


def test_no_kubernetes_auth_when_the_store_does_not_use_it(world: World) -> None:
    before = len([r for r in world.vault.log if r.path.startswith("sys/auth/")])
    run = world.run(
        "eso-off", toml=CONFIG_TOML, enable_vault_eso="false", enable_observability="false"
    )
    assert run.ok(), run.log
    assert "ESO login: nothing to set up (vault_eso is off)" in run.steps["deploy"].log
    after = len([r for r in world.vault.log if r.path.startswith("sys/auth/")])
    assert after == before
    # The kubeconfig is still kept in Vault for operators.
    assert world.vault.latest(f"wildside/{CLUSTER}/kubeconfig") is not None
