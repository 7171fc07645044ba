"""``wildside promote``: the copy, its commit, its diff, and rollback, against real git."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wildside_ops.promotion.message import trailers

if TYPE_CHECKING:
    from tests.gitops.conftest import Git

STAGING = "environments/staging/platform"
PRODUCTION = "environments/production/platform"


def copy_of(git: Git, repo: Path, root: str, ref: str = "main") -> dict[str, bytes]:
    """Every file under ``root`` at ``ref``, by path relative to ``root``."""
    prefix = f"{root}/"
    return {
        path[len(prefix) :]: git.blob(repo, ref, path)
        for path in git.paths(repo, ref)
        if path.startswith(prefix)
    }


def touched(git: Git, repo: Path, commit: str) -> list[str]:
    """``<status>\\t<path>`` for every path ``commit`` changed against its parent."""
    found = git("diff-tree", "--no-commit-id", "--name-status", "-r", commit, cwd=repo)
    return sorted(found.splitlines())


def test_promotion_copies_platform_exactly_and_touches_only_the_target(
    git: Git, remote: Path, sandbox: Callable[..., str], promoter: Callable[..., Any]
) -> None:
    published = sandbox()
    platform = copy_of(git, remote, "platform")

    outcome = promoter("sandbox", "staging")

    tip = git("rev-parse", "main", cwd=remote)
    assert outcome.result.commit_sha == tip
    assert outcome.result.pushed
    assert copy_of(git, remote, STAGING) == platform
    assert touched(git, remote, tip) == sorted(f"A\t{STAGING}/{path}" for path in platform)
    message = git("log", "-1", "--format=%B", "main", cwd=remote)
    assert message.splitlines()[0] == f"promote sandbox → staging: platform at {published[:12]}"
    assert "  added    platform/traefik (2 files)" in message
    assert "  added    platform/cert-manager (1 file)" in message
    assert "git revert" in message
    assert trailers(message) == {
        "Promoted-From": "sandbox",
        "Promoted-To": "staging",
        "Source-Commit": published,
        "Sandbox-Commit": published,
    }
    # git itself reads them as trailers, so tooling can too.
    parsed = git("log", "-1", "--format=%(trailers:key=Source-Commit,valueonly)", cwd=remote)
    assert parsed.strip() == published


def test_nothing_to_promote_makes_no_commit(
    git: Git, remote: Path, sandbox: Callable[..., str], promoter: Callable[..., Any]
) -> None:
    sandbox()
    promoter("sandbox", "staging")
    count = git.count(remote)

    again = promoter("sandbox", "staging")

    assert again.result.commit_sha == ""
    assert not again.result.pushed
    assert again.message == ""
    assert git.count(remote) == count


def test_a_published_change_waits_for_the_next_promotion_whose_diff_is_that_change(
    git: Git,
    remote: Path,
    sandbox: Callable[..., str],
    promoter: Callable[..., Any],
    rendered: Callable[..., dict[str, str]],
) -> None:
    sandbox()
    promoter("sandbox", "staging")
    staged = git("rev-parse", f"main:{STAGING}", cwd=remote)

    # Sandbox changes: one shared file edited, one component (and its files) dropped.
    files = rendered("dev", ["traefik"])
    files["platform/traefik/helmrelease.yaml"] = "# traefik\nversion: 2\n"
    change = sandbox(files=files, components=("traefik",))

    assert git("rev-parse", f"main:{STAGING}", cwd=remote) == staged  # byte-identical
    published = [
        line for line in touched(git, remote, change) if line.split("\t")[1].startswith("platform/")
    ]
    assert published  # the publish did change platform/

    outcome = promoter("sandbox", "staging")

    moved = touched(git, remote, outcome.result.commit_sha)
    expected = sorted(line.replace("\tplatform/", f"\t{STAGING}/") for line in published)
    assert moved == expected
    assert copy_of(git, remote, STAGING) == copy_of(git, remote, "platform")
    message = outcome.message
    assert "  changed  platform/traefik (1 file)" in message
    assert "  removed  platform/cert-manager (1 file)" in message
    assert "  removed  platform/sources (1 file)" in message
    assert f"Source-Commit: {change}" in message


def test_git_revert_of_a_promotion_restores_the_previous_copy_exactly(
    *,
    tmp_path: Path,
    git: Git,
    remote: Path,
    sandbox: Callable[..., str],
    promoter: Callable[..., Any],
    rendered: Callable[..., dict[str, str]],
) -> None:
    sandbox()
    promoter("sandbox", "staging")
    before = git("rev-parse", f"main:{STAGING}", cwd=remote)
    sandbox(files=rendered("dev", ["traefik"]), components=("traefik",))
    promotion = promoter("sandbox", "staging").result.commit_sha
    platform_now = git("rev-parse", "main:platform", cwd=remote)

    clone = tmp_path / "reviewer"
    subprocess.run(["git", "clone", "--quiet", str(remote), str(clone)], check=True)
    git("revert", "--no-edit", promotion, cwd=clone)
    git("push", "--quiet", "origin", "main", cwd=clone)

    assert git("rev-parse", f"main:{STAGING}", cwd=remote) == before
    assert git("rev-parse", "main:platform", cwd=remote) == platform_now  # sandbox untouched
    # The next promotion moves the change again, as a fresh reviewable commit.
    again = promoter("sandbox", "staging")
    assert again.result.commit_sha
    assert git("rev-parse", f"main:{STAGING}", cwd=remote) != before


def test_staging_to_production_copies_staging_and_carries_the_sandbox_commit(
    git: Git,
    remote: Path,
    sandbox: Callable[..., str],
    promoter: Callable[..., Any],
    rendered: Callable[..., dict[str, str]],
) -> None:
    first = sandbox()
    staging = promoter("sandbox", "staging").result.commit_sha
    # Sandbox moves on; production must get what staging runs, not what sandbox runs.
    sandbox(files=rendered("dev", ["traefik"]), components=("traefik",))

    outcome = promoter("staging", "production")

    assert copy_of(git, remote, PRODUCTION) == copy_of(git, remote, STAGING)
    assert copy_of(git, remote, PRODUCTION) != copy_of(git, remote, "platform")
    assert all(
        line.split("\t")[1].startswith(f"{PRODUCTION}/")
        for line in touched(git, remote, outcome.result.commit_sha)
    )
    message = git("log", "-1", "--format=%B", "main", cwd=remote)
    assert message.splitlines()[0] == (
        f"promote staging → production: environments/staging/platform at {staging[:12]}"
    )
    assert trailers(message)["Source-Commit"] == staging
    assert trailers(message)["Sandbox-Commit"] == first


def test_dry_run_shows_the_message_and_diff_and_writes_nothing(
    git: Git, remote: Path, sandbox: Callable[..., str], promoter: Callable[..., Any]
) -> None:
    sandbox()
    tip = git("rev-parse", "main", cwd=remote)

    preview = promoter("sandbox", "staging", dry_run=True, show_diff=True)

    assert git("rev-parse", "main", cwd=remote) == tip
    assert preview.result.commit_sha == ""
    assert preview.message.startswith("promote sandbox → staging: platform at ")
    assert f"+++ b/{STAGING}/traefik/helmrelease.yaml" in preview.result.diff


def test_local_mode_without_a_remote_commits_in_the_workdir(
    tmp_path: Path,
    git: Git,
    sandbox: Callable[..., str],
    promoter: Callable[..., Any],
) -> None:
    workdir = tmp_path / "local"
    sandbox(workdir=workdir, remote=None)

    outcome = promoter("sandbox", "staging", workdir=workdir, remote=None)

    assert git("rev-parse", "main", cwd=workdir) == outcome.result.commit_sha
    assert copy_of(git, workdir, STAGING) == copy_of(git, workdir, "platform")
    assert git("status", "--porcelain", cwd=workdir) == ""
