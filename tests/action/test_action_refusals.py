"""The action's dry run, bad input and Vault failures: nothing applied, nothing committed.

This module gets its own fresh world (remote, Vault, engine log), so "no
commit" and "no apply" mean the remote and engine were never touched.
"""

from __future__ import annotations

import subprocess

import pytest

from tests.action.conftest import CLUSTER, CONFIG_TOML, SENTINELS, UNVERSIONED_BUCKET, World
from tests.action.runner_sim import ActionRun


def remote_is_empty(world: World) -> bool:
    refs = subprocess.run(
        ["git", "for-each-ref"], cwd=world.remote, capture_output=True, text=True, check=True
    )
    return refs.stdout.strip() == ""


def assert_no_leak(run: ActionRun) -> None:
    for step in run.steps.values():
        for line in step.log.splitlines():
            if not line.startswith("::add-mask::"):
                assert not any(s in line for s in SENTINELS), (step.id, line)


@pytest.fixture(scope="module")
def dry(world: World) -> ActionRun:
    return world.run("dry", dry_run="true")


def test_dry_run_plans_previews_and_changes_nothing(world: World, dry: ActionRun) -> None:
    assert dry.ok(), dry.log
    calls = world.tofu_calls()
    assert "plan" in calls
    assert "apply" not in calls
    assert remote_is_empty(world), "a dry run must not push"
    assert dry.outputs["gitops_commit_sha"] == ""
    assert int(dry.outputs["rendered_manifest_count"]) > 0
    # The preview names what a real run would add.
    assert f"clusters/{CLUSTER}/kustomization.yaml" in dry.steps["publish"].log
    assert world.vault.latest(f"wildside/{CLUSTER}/kubeconfig") is None
    assert not [r for r in world.vault.requests("POST") if "sys/auth/" in r.path]
    assert_no_leak(dry)


@pytest.mark.parametrize(
    ("inputs", "named"),
    [
        ({"node_pools": "[{not json"}, "node_pools"),
        ({"cluster_name": "Prod_1"}, "cluster"),
        ({"gitops_repository": "https://user:pw@example.com/r.git"}, "gitops_repository"),
        ({"dry_run": "maybe"}, "dry_run"),
    ],
)
def test_bad_input_stops_before_anything_happens(
    world: World, dry: ActionRun, inputs: dict[str, str], named: str
) -> None:
    calls_before = len(world.tofu_calls())
    run = world.run(f"bad-{named}-{len(world.tofu_calls())}-{abs(hash(str(inputs)))}", **inputs)
    prepare = run.steps["prepare"]
    assert prepare.returncode == 2, prepare.log
    assert named in prepare.log
    assert "::error" in prepare.log, "the failure is annotated for the job's summary"
    assert prepare.env_file == "", "nothing is handed to later steps"
    assert set(run.steps) == {"prepare", "report"}, "only the clean-up step runs after it"
    assert len(world.tofu_calls()) == calls_before
    assert remote_is_empty(world)
    assert_no_leak(run)


def test_vault_login_denied_is_reported_as_such(world: World, dry: ActionRun) -> None:
    # No token inputs: the run must log in to Vault, with a wrong secret id.
    run = world.run(
        "denied",
        vault_secret_id="sntl-wrong-secret-id-0000",
        digitalocean_token="",
        spaces_access_key="",
        spaces_secret_key="",
    )
    prepare = run.steps["prepare"]
    assert prepare.returncode != 0
    assert "AppRole login" in prepare.log
    assert "was refused" in prepare.log
    assert "sntl-wrong-secret-id-0000" not in prepare.log.replace(
        "::add-mask::sntl-wrong-secret-id-0000", ""
    )
    assert "deploy" not in run.steps
    assert remote_is_empty(world)
    assert_no_leak(run)


def test_missing_vault_secret_names_the_path(world: World, dry: ActionRun) -> None:
    world.vault.delete_latest(f"wildside/{CLUSTER}/state")
    try:
        run = world.run("missing-path")
    finally:
        world.vault.put_secret(
            f"wildside/{CLUSTER}/state", {"passphrase": "sntl-vault-state-passphrase-c1d2"}
        )
    prepare = run.steps["prepare"]
    assert prepare.returncode != 0
    assert f"wildside/{CLUSTER}/state" in prepare.log
    assert "deploy" not in run.steps
    assert_no_leak(run)


def test_a_state_bucket_without_versioning_stops_the_deploy_before_any_apply(
    world: World, dry: ActionRun
) -> None:
    """docs/state.md restores an earlier state object version; without them, no deploy."""
    toml = CONFIG_TOML.replace('bucket = "wildside-e2e-state"', f'bucket = "{UNVERSIONED_BUCKET}"')
    calls_before = world.tofu_calls()
    run = world.run("unversioned", toml=toml)
    deploy = run.steps["deploy"]
    assert deploy.returncode == 1, deploy.log
    assert f"state bucket '{UNVERSIONED_BUCKET}': versioning is not enabled" in deploy.log
    assert "put-bucket-versioning" in deploy.log
    assert world.tofu_calls() == calls_before, "neither plan nor apply ran"
    assert remote_is_empty(world)
    assert_no_leak(run)
