"""``wildside plan`` and ``wildside deploy`` against a fake engine on PATH.

The fake stands at the protocol boundary: a script named ``tofu`` that
records its arguments and environment, and exits as the test tells it.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.cli import main

FAKE_ENGINE = """\
#!/bin/sh
# argv: -chdir=DIR COMMAND ARGS...
echo "$*" >> "$FAKE_LOG"
echo "TF_IN_AUTOMATION=$TF_IN_AUTOMATION" >> "$FAKE_LOG"
command="$2"
case "$command" in
  init) echo "Initializing the backend..."; exit 0 ;;
  plan)
    echo "Refreshing state..."
    if [ "$FAKE_PLAN_EXIT" = 1 ]; then
      echo "Error: Unsupported argument" >&2
      echo "  An argument named \\"bogus\\" is not expected here." >&2
    fi
    for arg in "$@"; do
      case "$arg" in -out=*) : > "${1#-chdir=}/${arg#-out=}" ;; esac
    done
    exit "$FAKE_PLAN_EXIT" ;;
  apply)
    [ "$FAKE_APPLY_EXIT" = 0 ] || echo "Error: creating cluster: 422 quota exceeded" >&2
    exit "$FAKE_APPLY_EXIT" ;;
esac
exit 3
"""


@dataclass
class Fake:
    outdir: Path
    log: Path

    @property
    def stack_dir(self) -> Path:
        return self.outdir / "stacks" / "cluster-stack"

    def calls(self) -> list[list[str]]:
        if not self.log.exists():
            return []
        lines = self.log.read_text().splitlines()
        return [line.split()[1:] for line in lines if line.startswith("-chdir=")]

    def commands(self) -> list[str]:
        return [call[0] for call in self.calls()]


def _install(bin_dir: Path, name: str) -> None:
    script = bin_dir / name
    script.write_text(FAKE_ENGINE)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Fake:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _install(bin_dir, "tofu")
    outdir = tmp_path / "cdktf.out"
    stack = outdir / "stacks" / "cluster-stack"
    stack.mkdir(parents=True)
    (stack / "cdk.tf.json").write_text(json.dumps({"terraform": {}}))
    log = tmp_path / "argv.log"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin")
    monkeypatch.setenv("FAKE_LOG", str(log))
    monkeypatch.setenv("FAKE_APPLY_EXIT", "0")
    monkeypatch.delenv("TERRAFORM_BINARY_NAME", raising=False)
    return Fake(outdir, log)


def _run(fake: Fake, command: str, plan_exit: int, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("FAKE_PLAN_EXIT", str(plan_exit))
    return main([command, "--skip-synth", "--outdir", str(fake.outdir)])


def test_plan_reports_no_changes(
    fake: Fake, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(fake, "plan", 0, monkeypatch) == 0
    assert "no changes" in capsys.readouterr().err
    init, plan = fake.calls()
    assert init[0] == "init" and "-input=false" in init
    assert plan[0] == "plan" and "-detailed-exitcode" in plan
    # A drift check keeps no plan file (it would hold state values).
    assert not any(arg.startswith("-out=") for arg in plan)
    assert "TF_IN_AUTOMATION=1" in fake.log.read_text()


def test_plan_reports_changes_pending_with_exit_2(
    fake: Fake, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(fake, "plan", 2, monkeypatch) == 2
    assert "changes pending" in capsys.readouterr().err
    assert fake.commands() == ["init", "plan"]


def test_plan_reports_an_error_with_the_engines_text(
    fake: Fake, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(fake, "plan", 1, monkeypatch) == 1
    captured = capsys.readouterr()
    assert "tofu plan failed" in captured.err
    assert "Error: Unsupported argument" in captured.err
    assert 'named "bogus" is not expected' in captured.err
    # The engine's output streams through as it runs.
    assert "Refreshing state..." in captured.out
    assert fake.commands() == ["init", "plan"]


def test_deploy_applies_the_saved_plan_only_when_it_has_changes(
    fake: Fake, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(fake, "deploy", 2, monkeypatch) == 0
    _init, plan, apply = fake.calls()
    assert "-out=wildside.tfplan" in plan
    assert apply[0] == "apply" and apply[-1] == "wildside.tfplan"
    assert "-auto-approve" not in apply  # a saved plan needs no approval
    assert "applied" in capsys.readouterr().err
    # The plan file held state values: it is gone after the run.
    assert not (fake.stack_dir / "wildside.tfplan").exists()


def test_deploy_is_a_no_op_without_changes(
    fake: Fake, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(fake, "deploy", 0, monkeypatch) == 0
    assert fake.commands() == ["init", "plan"]
    assert "nothing applied" in capsys.readouterr().err
    assert not (fake.stack_dir / "wildside.tfplan").exists()


def test_deploy_never_applies_after_a_failed_plan(
    fake: Fake, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _run(fake, "deploy", 1, monkeypatch) == 1
    assert fake.commands() == ["init", "plan"]


def test_deploy_reports_a_failed_apply(
    fake: Fake, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FAKE_APPLY_EXIT", "1")
    assert _run(fake, "deploy", 2, monkeypatch) == 1
    assert "422 quota exceeded" in capsys.readouterr().err
    assert not (fake.stack_dir / "wildside.tfplan").exists()


def test_missing_tofu_names_the_variable_that_selects_terraform(
    fake: Fake, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (fake.log.parent / "bin" / "tofu").unlink()
    assert _run(fake, "plan", 0, monkeypatch) == 1
    error = capsys.readouterr().err
    assert "OpenTofu (tofu) is not on PATH" in error
    assert "TERRAFORM_BINARY_NAME=terraform" in error


def test_terraform_is_used_when_named(
    fake: Fake, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bin_dir = fake.log.parent / "bin"
    (bin_dir / "tofu").unlink()
    _install(bin_dir, "terraform")
    monkeypatch.setenv("TERRAFORM_BINARY_NAME", "terraform")
    assert _run(fake, "plan", 2, monkeypatch) == 2
    assert "terraform plan" in capsys.readouterr().err


def test_terraform_refuses_an_encrypted_stack_before_running(
    fake: Fake, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _install(fake.log.parent / "bin", "terraform")
    monkeypatch.setenv("TERRAFORM_BINARY_NAME", "terraform")
    encrypted = {"terraform": {"encryption": {"state": {"enforced": True}}}}
    (fake.stack_dir / "cdk.tf.json").write_text(json.dumps(encrypted))
    assert _run(fake, "deploy", 2, monkeypatch) == 1
    assert "Terraform has no client-side state encryption" in capsys.readouterr().err
    assert fake.calls() == []


def test_plan_without_a_synthesised_stack_says_so(
    fake: Fake, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (fake.stack_dir / "cdk.tf.json").unlink()
    assert _run(fake, "plan", 0, monkeypatch) == 1
    assert "synthesise the stack first" in capsys.readouterr().err


@pytest.mark.parametrize(("command", "expected"), [("deploy", 2), ("plan", 1)])
def test_bad_configuration_is_bad_input_and_runs_no_engine(
    fake: Fake,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
    expected: int,
) -> None:
    """deploy exits 2 like every command; plan keeps 2 for "changes pending", so 1."""
    monkeypatch.setenv("WILDSIDE_CLUSTER_NAME", "Not_A_DNS_Name")
    assert main([command, "--outdir", str(fake.outdir)]) == expected
    error = capsys.readouterr().err
    assert "cluster.name" in error and "Traceback" not in error
    assert fake.calls() == []
