"""The action with ``[vault_eso] auth = "approle"``: the secret ID goes straight into the cluster.

The cluster's API is the loopback fake over TLS, reached with the kubeconfig
the fake engine reports; Vault is the fake one. Its own module, so its world
(remote, Vault) starts fresh.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests

from tests.action.conftest import (
    CLUSTER,
    CLUSTER_ID,
    CONFIG_TOML,
    KUBE_TOKEN,
    SENTINELS,
    World,
    exposed,
)
from tests.action.runner_sim import ActionRun
from tests.fakes.fake_kube import FakeKube, serving

TOML = CONFIG_TOML.replace("[vault_eso]\n", '[vault_eso]\nauth = "approle"\n')
ROLE = f"wildside-{CLUSTER}-eso"


@dataclass
class Runs:
    first: ActionRun
    second: ActionRun
    kube: FakeKube
    pair: dict[str, str]


@pytest.fixture(scope="module")
def runs(world: World) -> Iterator[Runs]:
    with serving(world.fixtures / "kube", KUBE_TOKEN) as (kube, kubeconfig):
        outputs = world.fixtures / "outputs-approle.json"
        outputs.write_text(
            json.dumps(
                {
                    "cluster_id": {"sensitive": False, "type": "string", "value": CLUSTER_ID},
                    "cluster_endpoint": {"sensitive": False, "type": "string", "value": kube.url},
                    "kubeconfig": {"sensitive": True, "type": "string", "value": kubeconfig},
                }
            )
        )
        first = world.run("approle-1", toml=TOML, env={"FAKE_TOFU_OUTPUTS": str(outputs)})
        pair = dict(kube.secret_data("external-secrets", "vault-approle") or {})
        # Same inputs again; the fake engine now reports no changes.
        second = world.run(
            "approle-2",
            toml=TOML,
            env={"FAKE_TOFU_OUTPUTS": str(outputs), "FAKE_PLAN_EXIT": "0"},
        )
        yield Runs(first, second, kube, pair)


def test_the_cluster_gets_a_pair_that_logs_in_with_its_own_policy(world: World, runs: Runs) -> None:
    assert runs.first.ok(), runs.first.log
    log = runs.first.steps["deploy"].log
    assert "delivering its ESO's AppRole secret ID" in log
    wrote = "ESO login: wrote Secret external-secrets/vault-approle in the cluster"
    assert f"{wrote} (the Secret did not exist)" in log
    assert set(runs.pair) == {"role_id", "secret_id"}
    reply = requests.post(f"{world.vault.url}/v1/auth/approle/login", json=runs.pair, timeout=5)
    assert reply.json()["auth"]["policies"] == ["default", ROLE]
    # No Kubernetes auth mount for a cluster that does not log in that way.
    assert f"kubernetes-{CLUSTER}/" not in world.vault.auth_mounts


def test_a_rerun_keeps_the_secret_id(world: World, runs: Runs) -> None:
    assert runs.second.ok(), runs.second.log
    log = runs.second.steps["deploy"].log
    assert (
        f"ESO login: AppRole {ROLE} and Secret external-secrets/vault-approle already up to date"
        in log
    )
    assert runs.kube.secret_data("external-secrets", "vault-approle") == runs.pair
    assert world.vault.approle.live_secret_ids("approle", ROLE) == [runs.pair["secret_id"]]


def test_the_pair_is_in_no_log_file_output_or_commit(world: World, runs: Runs) -> None:
    values = (*runs.pair.values(), *SENTINELS)
    for action in (runs.first, runs.second):
        assert exposed(action, values) == []
        for step in action.steps.values():
            assert not any(value in step.env_file for value in runs.pair.values()), step.id
        assert f"::add-mask::{runs.pair['secret_id']}" in action.log
    assert world.left_behind(values) == []


def test_the_published_store_only_names_the_secret(world: World, runs: Runs) -> None:
    store = subprocess.run(
        ["git", "show", "main:platform/vault/secret-store-approle/clustersecretstore.yaml"],
        cwd=world.remote,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "roleRef:" in store and "secretRef:" in store
    assert "${vault_eso_approle_secret_name}" in store
