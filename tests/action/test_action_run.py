"""The action end to end: its step commands in order under a simulated runner.

A fake Vault on loopback, a bare git remote and a fake ``tofu`` on PATH stand
in for the world; everything between them is the real program.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.action.conftest import (
    CLUSTER,
    CLUSTER_ID,
    ENDPOINT,
    INPUT_SECRETS,
    KUBECONFIG,
    SENTINELS,
    World,
    exposed,
)
from tests.action.runner_sim import ActionRun
from tests.conftest import git


@dataclass
class Run:
    action: ActionRun
    folder: Path


def run_in(world: World, name: str) -> Run:
    return Run(world.run(name), world.root / name)


@pytest.fixture(scope="module")
def first(world: World) -> Run:
    return run_in(world, "run-1")


@pytest.fixture(scope="module")
def second(world: World, first: Run) -> Run:
    # Same inputs again; the fake engine now reports no changes.
    world.base_env["FAKE_PLAN_EXIT"] = "0"
    try:
        return run_in(world, "run-2")
    finally:
        del world.base_env["FAKE_PLAN_EXIT"]


def masked_before_use(log: str, value: str) -> bool:
    """Whether ``value`` was masked before any other line carried it."""
    mask = f"::add-mask::{value}"
    for line in log.splitlines():
        if line == mask:
            return True
        if value in line:
            return False
    return False


def test_outputs_are_set_from_the_engine_and_the_commit(world: World, first: Run) -> None:
    run = first.action
    assert run.ok(), run.log
    head = git("rev-parse", "refs/heads/main", cwd=world.remote)
    assert run.outputs["cluster_name"] == CLUSTER
    assert run.outputs["cluster_id"] == CLUSTER_ID
    assert run.outputs["cluster_endpoint"] == ENDPOINT
    assert run.outputs["gitops_commit_sha"] == head
    files = git("ls-tree", "-r", "--name-only", head, cwd=world.remote).splitlines()
    manifests = [f for f in files if f.startswith(("clusters/", "platform/"))]
    assert run.outputs["rendered_manifest_count"] == str(len(manifests))
    assert f"clusters/{CLUSTER}/kustomization.yaml" in files
    assert "clusters/e2e-ams/valkey.yaml" not in files, "enable_valkey=false is honoured"
    assert CLUSTER_ID in run.summary


def test_the_engine_gets_the_inputs_credentials_and_applies_once(world: World, first: Run) -> None:
    assert world.tofu_calls()[:4] == ["init", "plan", "apply", "output"]
    lines = world.tofu_log.read_text().splitlines()
    digest = hashlib.sha256(INPUT_SECRETS["digitalocean_token"].encode()).hexdigest()
    assert f"env DIGITALOCEAN_TOKEN {digest}" in lines
    # Not given as an input: the passphrase came from Vault.
    assert any(line.startswith("env TF_VAR_state_passphrase ") for line in lines)


def test_kubeconfig_and_kubernetes_auth_land_in_vault(world: World, first: Run) -> None:
    stored = world.vault.latest(f"wildside/{CLUSTER}/kubeconfig")
    assert stored == {"kubeconfig": KUBECONFIG}
    auth = [r.path for r in world.vault.requests("POST") if "sys/auth/" in r.path]
    assert any(path.endswith(f"kubernetes-{CLUSTER}") for path in auth)


def test_no_secret_appears_in_any_log_file_output_or_commit(
    world: World, first: Run, second: Run
) -> None:
    for run in (first, second):
        # Logs and outputs: the only line allowed to carry a secret is its own mask command.
        assert exposed(run.action, SENTINELS) == []
        # GITHUB_ENV may hand secrets on, but only ones masked beforehand.
        log = run.action.log
        for step in run.action.steps.values():
            for sentinel in SENTINELS:
                if sentinel in step.env_file:
                    assert masked_before_use(log, sentinel), (step.id, sentinel)
    # Every file the runs left (state, synth output, GitOps clone, summaries) and commit.
    assert world.left_behind(SENTINELS) == []


def test_a_rerun_without_changes_applies_nothing_and_commits_nothing(
    world: World, first: Run, second: Run
) -> None:
    assert second.action.ok(), second.action.log
    assert second.action.outputs["gitops_commit_sha"] == ""
    assert second.action.outputs["cluster_id"] == CLUSTER_ID
    assert world.tofu_calls().count("apply") == 1
    assert git("rev-list", "--count", "main", cwd=world.remote) == "1"
    assert world.vault.versions(f"wildside/{CLUSTER}/kubeconfig") == 1


def test_steps_group_their_log_output(first: Run) -> None:
    for step in first.action.steps.values():
        opened = step.log.count("::group::")
        assert opened, step.id
        assert opened == step.log.count("::endgroup::"), step.id


def test_the_published_tree_is_what_flux_will_read(world: World, first: Run) -> None:
    text = git("show", f"main:clusters/{CLUSTER}/vault-secret-store.yaml", cwd=world.remote)
    unit = yaml.safe_load(text)
    assert unit["spec"]["dependsOn"] == [{"name": "vault"}]
