"""``wildside promote`` refusals: routes, a missing source, unpublished changes.

Each refusal must leave the remote and the workdir's branch exactly as they were.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from wildside_ops.gitops.recovery import JOURNAL_NAME, RUNNING_NAME
from wildside_ops.promotion.message import trailers
from wildside_ops.promotion.rules import PromotionError, check_route

if TYPE_CHECKING:
    from tests.gitops.conftest import Git


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        ("sandbox", "prod", "--to 'prod' is not an environment; give one of sandbox, staging"),
        ("dev", "staging", "--from 'dev' is not an environment; give one of sandbox, staging"),
        ("staging", "staging", "--from and --to are both 'staging'"),
        ("sandbox", "production", "skips staging; promote through each environment in turn"),
        ("production", "staging", "goes backwards (staging comes before production)"),
    ],
)
def test_routes_are_refused_with_the_fix(source: str, target: str, expected: str) -> None:
    with pytest.raises(PromotionError) as caught:
        check_route(source, target)
    assert expected in str(caught.value)
    assert caught.value.exit_code == 2


def test_same_environment_and_sandbox_as_target_are_refused_even_with_force() -> None:
    with pytest.raises(PromotionError, match="--from staging --to production"):
        check_route("staging", "staging", force=True)
    with pytest.raises(PromotionError, match="--to sandbox: sandbox runs platform/"):
        check_route("staging", "sandbox", force=True)


def test_skipping_staging_with_force_lands_and_says_so(
    git: Git, remote: Path, sandbox: Callable[..., str], promoter: Callable[..., Any]
) -> None:
    sandbox()
    with pytest.raises(PromotionError, match="give --force"):
        promoter("sandbox", "production")
    assert not [p for p in git.paths(remote) if p.startswith("environments/")]

    outcome = promoter("sandbox", "production", force=True)

    message = git("log", "-1", "--format=%B", "main", cwd=remote)
    assert outcome.result.commit_sha == git("rev-parse", "main", cwd=remote)
    assert "Forced (--force): this promotion skips staging." in " ".join(message.split())
    assert trailers(message)["Forced"] == "skips staging"
    assert not [p for p in git.paths(remote) if p.startswith("environments/staging/")]


def test_going_backwards_with_force_copies_production_over_staging(
    git: Git,
    remote: Path,
    sandbox: Callable[..., str],
    promoter: Callable[..., Any],
    rendered: Callable[..., dict[str, str]],
) -> None:
    sandbox()
    promoter("sandbox", "staging")
    promoter("staging", "production")
    production = git("rev-parse", "main:environments/production/platform", cwd=remote)
    sandbox(files=rendered("dev", ["traefik"]), components=("traefik",))
    promoter("sandbox", "staging")

    promoter("production", "staging", force=True)

    assert git("rev-parse", "main:environments/staging/platform", cwd=remote) == production


@pytest.mark.parametrize(
    ("source", "advice"),
    [
        ("sandbox", "publish a cluster first (wildside render)"),
        ("staging", "run `wildside promote --from sandbox --to staging` first"),
    ],
)
def test_a_missing_source_is_refused_naming_the_promotion_to_run_first(
    git: Git,
    remote: Path,
    promoter: Callable[..., Any],
    source: str,
    advice: str,
) -> None:
    git.seed(remote, {"README.md": "GitOps\n"})
    before = git.state(Path("/nonexistent"), remote)
    target = {"sandbox": "staging", "staging": "production"}[source]

    with pytest.raises(PromotionError) as caught:
        promoter(source, target)

    assert caught.value.exit_code == 2
    assert f"--from {source}:" in str(caught.value)
    assert advice in str(caught.value)
    assert git.state(Path("/nonexistent"), remote) == before


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("edit", "uncommitted or untracked changes under platform/"),
        ("untracked", "uncommitted or untracked changes under platform/"),
        ("target", "environments/staging/platform/traefik/helmrelease.yaml"),
        # A staged rename names both paths whole (porcelain -z prints the old one unprefixed).
        ("rename", "platform/traefik/helmrelease.yaml, platform/traefik/renamed.yaml"),
        ("commit", "has commits origin/main does not"),
        ("journal", "was interrupted"),
        ("running", "was interrupted"),
    ],
)
def test_unpublished_changes_in_the_workdir_are_refused(
    *,
    tmp_path: Path,
    git: Git,
    remote: Path,
    sandbox: Callable[..., str],
    promoter: Callable[..., Any],
    rendered: Callable[..., dict[str, str]],
    change: str,
    expected: str,
) -> None:
    sandbox()
    promoter("sandbox", "staging")
    sandbox(files=rendered("dev", ["traefik"]), components=("traefik",))
    workdir = tmp_path / "operator"
    git("pull", "--quiet", "--ff-only", cwd=workdir)
    if change == "edit":
        (workdir / "platform/traefik/helmrelease.yaml").write_text("edited: by hand\n")
    elif change == "untracked":
        (workdir / "platform/new").mkdir()
        (workdir / "platform/new/unit.yaml").write_text("kind: New\n")
    elif change == "target":
        (workdir / "environments/staging/platform/traefik/helmrelease.yaml").write_text("x\n")
    elif change == "rename":
        git("mv", "platform/traefik/helmrelease.yaml", "platform/traefik/renamed.yaml", cwd=workdir)
    elif change == "commit":
        (workdir / "platform/traefik/helmrelease.yaml").write_text("edited: committed\n")
        git("commit", "--quiet", "-am", "local only", cwd=workdir)
    elif change == "journal":
        (workdir / ".git" / JOURNAL_NAME).write_text(
            json.dumps({"branch": "main", "old": None, "new": "0" * 40})
        )
    else:
        (workdir / ".git" / RUNNING_NAME).write_text("")
    before = git.state(workdir, remote)

    with pytest.raises(PromotionError) as caught:
        promoter("sandbox", "staging")

    assert caught.value.exit_code == 2
    assert expected in str(caught.value)
    assert "then promote" in str(caught.value)
    assert git.state(workdir, remote) == before


def test_changes_outside_both_copies_do_not_block_a_promotion(
    tmp_path: Path,
    git: Git,
    remote: Path,
    sandbox: Callable[..., str],
    promoter: Callable[..., Any],
) -> None:
    sandbox()
    promoter("sandbox", "staging")
    workdir = tmp_path / "operator"
    (workdir / "NOTES.md").write_text("scratch\n")

    assert promoter("staging", "production").result.pushed
