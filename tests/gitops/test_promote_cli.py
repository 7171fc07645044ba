"""``wildside promote`` as a user runs it: exit codes and messages, never a traceback."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import clean_env, run_app

if TYPE_CHECKING:
    from tests.gitops.conftest import Git


@pytest.fixture
def wildside(tmp_path: Path, remote: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """``wildside(*args, **env)``: ``wildside promote ARGS`` in a fresh process."""

    def run(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        env = clean_env(
            tmp_path,
            {
                "WILDSIDE_GITOPS_DIR": str(tmp_path / "operator"),
                "WILDSIDE_GITOPS_REMOTE": str(remote),
                **extra,
            },
        )
        done = run_app(["promote", *args], env, timeout=120)
        assert "Traceback" not in done.stderr
        return done

    return run


def test_promote_then_nothing_to_promote(
    git: Git,
    remote: Path,
    sandbox: Callable[..., str],
    wildside: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    sandbox()

    first = wildside("--from", "sandbox", "--to", "staging")
    second = wildside("--from", "sandbox", "--to", "staging")

    tip = git("rev-parse", "main", cwd=remote)
    assert first.returncode == 0, first.stderr
    assert f"promoted sandbox → staging: commit {tip} on main" in first.stderr
    assert f"roll back with: git revert {tip}" in first.stderr
    assert second.returncode == 0, second.stderr
    assert "nothing to promote: environments/staging/platform/ already matches" in second.stderr


def test_dry_run_prints_the_commit_message_and_diff(
    git: Git,
    remote: Path,
    sandbox: Callable[..., str],
    wildside: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    sandbox()
    tip = git("rev-parse", "main", cwd=remote)

    done = wildside("--from", "sandbox", "--to", "staging", "--dry-run", "--diff")

    assert done.returncode == 0, done.stderr
    assert "+++ b/environments/staging/platform/traefik/helmrelease.yaml" in done.stdout
    assert "Promoted-To: staging" in done.stdout
    assert git("rev-parse", "main", cwd=remote) == tip


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--from", "sandbox", "--to", "prod"), "give one of sandbox, staging, production"),
        (("--from", "sandbox", "--to", "sandbox"), "--from and --to are both 'sandbox'"),
        (("--from", "sandbox", "--to", "production"), "or give --force"),
        (("--from", "staging", "--to", "production"), "--from sandbox --to staging` first"),
        (("--from", "sandbox"), "the following arguments are required: --to"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(
    *,
    git: Git,
    remote: Path,
    sandbox: Callable[..., str],
    wildside: Callable[..., subprocess.CompletedProcess[str]],
    args: tuple[str, ...],
    expected: str,
) -> None:
    sandbox()
    tip = git("rev-parse", "main", cwd=remote)

    done = wildside(*args)

    assert done.returncode == 2
    assert expected in done.stderr
    assert git("rev-parse", "main", cwd=remote) == tip


def test_unpublished_change_exits_2(
    tmp_path: Path,
    git: Git,
    remote: Path,
    sandbox: Callable[..., str],
    wildside: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    sandbox()
    assert wildside("--from", "sandbox", "--to", "staging").returncode == 0
    (tmp_path / "operator/platform/traefik/helmrelease.yaml").write_text("by hand\n")

    done = wildside("--from", "staging", "--to", "production")

    assert done.returncode == 0  # platform/ is not staging's source: no refusal
    tip = git("rev-parse", "main", cwd=remote)
    done = wildside("--from", "sandbox", "--to", "staging")
    assert done.returncode == 2
    assert "uncommitted or untracked changes under platform/" in done.stderr
    assert git("rev-parse", "main", cwd=remote) == tip


def test_a_remote_that_refuses_the_push_exits_1(
    git: Git,
    remote: Path,
    sandbox: Callable[..., str],
    wildside: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    sandbox()
    tip = git("rev-parse", "main", cwd=remote)
    git.hook(remote, "pre-receive", "echo 'protected branch' >&2\nexit 1\n")

    done = wildside("--from", "sandbox", "--to", "staging", WILDSIDE_GITOPS_PUSH_BUDGET="0")

    assert done.returncode == 1
    assert "promote failed: push to main rejected" in done.stderr
    assert git("rev-parse", "main", cwd=remote) == tip
