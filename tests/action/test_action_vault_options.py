"""The Vault set-up follows the cluster's vault_eso settings, not CI's own Vault use.

Its own module, so its world (remote, Vault) starts fresh.
"""

from __future__ import annotations

from tests.action.conftest import CLUSTER, CONFIG_TOML, World
from tests.action.runner_sim import ActionRun, run_action


def run_with_config(world: World, name: str, toml: str, **inputs: str) -> ActionRun:
    folder = world.root / name
    (folder / "runner-temp").mkdir(parents=True)
    workspace = folder / "workspace"
    workspace.mkdir()
    (workspace / "wildside.toml").write_text(toml)
    env = {
        **world.base_env,
        "RUNNER_TEMP": str(folder / "runner-temp"),
        "GITHUB_WORKSPACE": str(workspace),
    }
    return run_action(world.inputs(**inputs), env, folder / "steps")


def test_the_eso_policy_grants_the_kv_mount_the_cluster_reads(world: World) -> None:
    # CI reads its own secrets from "secret"; the cluster's store reads "kv".
    toml = CONFIG_TOML.replace("[vault_eso]\n", '[vault_eso]\nkv_mount = "kv"\n')
    run = run_with_config(world, "kv", toml)
    assert run.ok(), run.log
    (policy,) = [text for name, text in world.vault.policies.items() if CLUSTER in name]
    assert f'"kv/data/wildside/{CLUSTER}/' in policy
    assert '"secret/data/' not in policy


def test_no_kubernetes_auth_when_the_store_does_not_use_it(world: World) -> None:
    before = len([r for r in world.vault.log if r.path.startswith("sys/auth/")])
    run = run_with_config(world, "eso-off", CONFIG_TOML, enable_vault_eso="false")
    assert run.ok(), run.log
    assert "ESO login: nothing to set up (vault_eso is off)" in run.steps["deploy"].log
    after = len([r for r in world.vault.log if r.path.startswith("sys/auth/")])
    assert after == before
    # The kubeconfig is still kept in Vault for operators.
    assert world.vault.latest(f"wildside/{CLUSTER}/kubeconfig") is not None
