"""``wildside deploy`` with ``gitops.auth = "ssh"``: the deploy key from Vault to the engine.

Vault is the loopback fake, the engine a script on PATH that records a digest
of what it was handed (never the value). The key must reach the engine and
nothing else: not the terminal, not a file.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.cli import main
from tests.fakes.fake_vault import ROLE_ID, SECRET_ID, FakeVault
from tests.support import EXAMPLE, write_config
from wildside_ops.repo_bootstrap.deploy_key import generate, vault_path

KEY = generate("flux (wildside, read-only)")
KEY_LINES = [line for line in KEY.private.splitlines() if "-----" not in line]
PATH = vault_path("example", "wildside-infra")
ENGINE = """\
#!/bin/sh
# argv: -chdir=DIR COMMAND ARGS...; records digests of the key variables only.
echo "$2 key=$(printf %s "${TF_VAR_flux_git_ssh_key:-}" | sha256sum | cut -c1-64)" \\
  "version=${TF_VAR_flux_git_ssh_key_version:-unset}" >> "$FAKE_LOG"
case "$2" in
  plan) for arg in "$@"; do
          case "$arg" in -out=*) : > "${1#-chdir=}/${arg#-out=}" ;; esac
        done
        exit 2 ;;
esac
exit 0
"""


@dataclass
class World:
    root: Path
    outdir: Path
    log: Path
    vault: FakeVault

    def calls(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "tofu").write_text(ENGINE)
    (bin_dir / "tofu").chmod(0o755)
    outdir = tmp_path / "cdktf.out"
    stack = outdir / "stacks" / "cluster-stack"
    stack.mkdir(parents=True)
    # What cluster-stack declares with gitops.auth = "ssh" (tests/cluster/test_flux_ssh.py).
    variables = {"flux_git_ssh_key": {"type": "string", "sensitive": True}}
    (stack / "cdk.tf.json").write_text(json.dumps({"terraform": {}, "variable": variables}))
    text = EXAMPLE.read_text().replace('branch = "main"\n', 'branch = "main"\nauth = "ssh"\n', 1)
    assert 'auth = "ssh"' in text
    monkeypatch.setenv("WILDSIDE_CONFIG", str(write_config(tmp_path, text)))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin")
    monkeypatch.setenv("FAKE_LOG", str(tmp_path / "engine.log"))
    for name in ("TERRAFORM_BINARY_NAME", "TF_VAR_flux_git_ssh_key", "GITHUB_ACTIONS"):
        monkeypatch.delenv(name, raising=False)
    with FakeVault().running() as vault:
        vault.put_secret(PATH, {"identity": KEY.private, "identity.pub": KEY.public})
        yield World(tmp_path, outdir, tmp_path / "engine.log", vault)


def _login(monkeypatch: pytest.MonkeyPatch, vault: FakeVault) -> None:
    monkeypatch.setenv("VAULT_ADDR", vault.url)
    monkeypatch.setenv("VAULT_ROLE_ID", ROLE_ID)
    monkeypatch.setenv("VAULT_SECRET_ID", SECRET_ID)


def _deploy(world: World, command: str = "deploy") -> int:
    return main([command, "--skip-synth", "--outdir", str(world.outdir)])


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def test_deploy_hands_the_engine_the_key_from_vault_and_nothing_else(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _login(monkeypatch, world.vault)
    assert _deploy(world) == 0
    calls = world.calls()
    assert calls, "the engine ran"
    assert all(f"key={_digest(KEY.private)} version=1" in call for call in calls), calls
    captured = capsys.readouterr()
    assert "Flux deploy key: read from Vault" in captured.err
    # Not on the terminal, not in any file the run left, not in this process's environment.
    assert not any(line in captured.out + captured.err for line in KEY_LINES)
    for path in world.root.rglob("*"):
        if path.is_file():
            data = path.read_text(errors="replace")
            assert not any(line in data for line in KEY_LINES), path
    assert "TF_VAR_flux_git_ssh_key" not in os.environ


def test_a_key_already_in_the_environment_is_used_without_vault(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TF_VAR_flux_git_ssh_key", KEY.private)
    assert _deploy(world) == 0
    assert all(f"key={_digest(KEY.private)} version=unset" in call for call in world.calls())
    assert world.vault.requests() == []


def test_without_vault_deploy_stops_with_exit_2_naming_the_fix(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _deploy(world) == 2
    err = capsys.readouterr().err
    assert "VAULT_ADDR" in err and "TF_VAR_flux_git_ssh_key" in err
    assert PATH in err
    assert "Traceback" not in err
    assert world.calls() == [], "the engine never ran"


def test_unusable_vault_settings_are_named_not_reported_as_missing(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Every variable is set, but the CA file is not there: the message says so,
    # rather than listing no missing variables.
    _login(monkeypatch, world.vault)
    monkeypatch.setenv("VAULT_CACERT", str(world.root / "no-such-ca.pem"))
    assert _deploy(world) == 2
    err = capsys.readouterr().err
    assert "no-such-ca.pem" in err and "VAULT_CACERT" in err
    assert "but  are not set" not in err
    assert world.calls() == [] and world.vault.requests() == []


def test_without_vault_plan_reports_an_error_not_changes(world: World) -> None:
    assert _deploy(world, "plan") == 1
    assert world.calls() == []


def test_no_key_in_vault_says_to_run_the_bootstrap(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _login(monkeypatch, world.vault)
    world.vault.delete_latest(PATH)
    assert _deploy(world) == 2
    err = capsys.readouterr().err
    assert "wildside gitops bootstrap" in err
    assert world.calls() == []


def test_an_https_stack_never_asks_vault(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    stack = world.outdir / "stacks" / "cluster-stack" / "cdk.tf.json"
    stack.write_text(json.dumps({"terraform": {}, "variable": {"flux_git_token": {}}}))
    assert _deploy(world) == 0
    assert all("version=unset" in call for call in world.calls())
    assert world.vault.requests() == []
