"""The action with ``gitops.auth = "ssh"``: Flux's deploy key goes from Vault to the engine.

The key sits in the fake Vault where ``wildside gitops bootstrap`` writes it;
the run reads it there, masks it before anything else, hands it to the engine
as ``TF_VAR_flux_git_ssh_key`` and leaves it in no log, output, file or commit.
Its own module, so its world (remote, Vault, engine log) starts fresh.
"""

from __future__ import annotations

import hashlib

import pytest

from tests.action.conftest import CONFIG_TOML, SENTINELS, World, exposed
from tests.action.runner_sim import ActionRun
from wildside_ops.repo_bootstrap.deploy_key import generate, vault_path

# A well-formed digest for tests only (the bootstrap is on, and state is s3).
TOML = CONFIG_TOML.replace(
    'repository_url = "https://github.com/example/wildside-infra.git"\n',
    'repository_url = "https://github.com/example/wildside-infra.git"\nauth = "ssh"\n',
).replace("bootstrap = false\n", f'bootstrap = true\ncli_digest = "sha256:{"5e" * 32}"\n')
KEY = generate("flux (wildside, read-only)")
KEY_LINES = [line for line in KEY.private.splitlines() if "-----" not in line]
PATH = vault_path("example", "wildside-infra")


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@pytest.fixture(scope="module")
def run(world: World) -> ActionRun:
    assert 'auth = "ssh"' in TOML and "bootstrap = true" in TOML
    world.vault.put_secret(PATH, {"identity": KEY.private, "identity.pub": KEY.public})
    world.vault.put_secret(PATH, {"identity": KEY.private, "identity.pub": KEY.public})
    return world.run("ssh", toml=TOML)


def test_the_engine_gets_the_key_and_its_vault_version(world: World, run: ActionRun) -> None:
    assert run.ok(), run.log
    assert "flux_ssh_key: from Vault" in run.steps["prepare"].log
    lines = world.tofu_log.read_text().splitlines()
    assert f"env TF_VAR_flux_git_ssh_key {digest(KEY.private)}" in lines
    # The second version: a rotated key re-sends the write-only Secret.
    assert f"env TF_VAR_flux_git_ssh_key_version {digest('2')}" in lines


def test_the_key_is_masked_first_and_appears_nowhere(world: World, run: ActionRun) -> None:
    log = run.log
    for line in KEY_LINES:
        first = next(text for text in log.splitlines() if line in text)
        assert first == f"::add-mask::{line}", "masked before any other line carried it"
    assert exposed(run, [*KEY_LINES, *SENTINELS]) == []
    assert world.left_behind(KEY_LINES) == []


def test_without_vault_the_run_stops_naming_what_to_give(world: World, run: ActionRun) -> None:
    refused = world.run(
        "ssh-no-vault",
        toml=TOML,
        vault_address="",
        vault_role_id="",
        vault_secret_id="",
        enable_vault_eso="false",
        enable_observability="false",
    )
    prepare = refused.steps["prepare"]
    assert prepare.returncode == 2, prepare.log
    assert "flux_ssh_key" in prepare.log
    assert "vault_address" in prepare.log and "TF_VAR_flux_git_ssh_key" in prepare.log
    assert "deploy" not in refused.steps


def test_no_key_in_vault_says_to_run_the_bootstrap(world: World, run: ActionRun) -> None:
    world.vault.delete_latest(PATH)
    refused = world.run("ssh-no-key", toml=TOML)
    prepare = refused.steps["prepare"]
    assert prepare.returncode == 2, prepare.log
    assert f"secret/{PATH}" in prepare.log
    assert "wildside gitops bootstrap" in prepare.log
    assert "deploy" not in refused.steps
