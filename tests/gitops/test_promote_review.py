"""``wildside promote --branch`` and ``--pull-request``: the promotion goes through review.

The pull request is opened on a fake GitHub API on loopback; the branch is
pushed to a real bare repository.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.fakes.fake_github import REPO, FakeGitHub
from wildside_ops.gitops import PublishError

if TYPE_CHECKING:
    from tests.gitops.conftest import Git

TOKEN = "ghp_promotiontoken"
STAGING = "environments/staging/platform"


def test_branch_mode_leaves_the_target_branch_alone_and_adds_one_commit(
    tmp_path: Path,
    git: Git,
    remote: Path,
    sandbox: Callable[..., str],
    promoter: Callable[..., Any],
) -> None:
    published = sandbox()
    tip = git("rev-parse", "main", cwd=remote)

    outcome = promoter("sandbox", "staging", review_branch="")

    branch = f"promote/sandbox-to-staging-{published[:12]}"
    assert outcome.review_branch == branch
    assert git("rev-parse", "main", cwd=remote) == tip
    assert git("rev-list", "--count", f"main..{branch}", cwd=remote) == "1"
    assert git("rev-parse", f"{branch}^", cwd=remote) == tip
    assert git("rev-parse", branch, cwd=remote) == outcome.result.commit_sha
    assert git("rev-parse", f"{branch}:{STAGING}", cwd=remote) == git(
        "rev-parse", "main:platform", cwd=remote
    )
    workdir = tmp_path / "operator"
    assert git("rev-parse", "main", cwd=workdir) == tip  # the local branch did not move
    assert git("status", "--porcelain", cwd=workdir) == ""


def test_an_existing_review_branch_is_never_moved(
    git: Git,
    remote: Path,
    sandbox: Callable[..., str],
    promoter: Callable[..., Any],
    rendered: Callable[..., dict[str, str]],
) -> None:
    sandbox()
    promoter("sandbox", "staging", review_branch="review/staging")
    first = git("rev-parse", "review/staging", cwd=remote)
    sandbox(files=rendered("dev", ["traefik"]), components=("traefik",))

    with pytest.raises(PublishError, match="branch review/staging already exists"):
        promoter("sandbox", "staging", review_branch="review/staging")

    assert git("rev-parse", "review/staging", cwd=remote) == first


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub(token=TOKEN).running() as fake:
        yield fake


@pytest.fixture
def cli(
    tmp_path: Path, remote: Path, monkeypatch: pytest.MonkeyPatch, github: FakeGitHub
) -> Callable[..., int]:
    """``cli(*args)``: ``wildside promote`` in-process, on the fixtures' remote and GitHub."""
    from app.cli import main

    monkeypatch.setenv("WILDSIDE_GITOPS_DIR", str(tmp_path / "operator"))
    monkeypatch.setenv("WILDSIDE_GITOPS_REMOTE", str(remote))
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_API_URL", github.url)

    def run(*args: str) -> int:
        return main(["promote", "--from", "sandbox", "--to", "staging", *args])

    return run


def test_pull_request_mode_pushes_a_branch_and_opens_a_pull_request(
    *,
    git: Git,
    remote: Path,
    sandbox: Callable[..., str],
    cli: Callable[..., int],
    github: FakeGitHub,
    capsys: pytest.CaptureFixture[str],
) -> None:
    published = sandbox()
    tip = git("rev-parse", "main", cwd=remote)

    assert cli("--pull-request", "--repository", REPO) == 0

    branch = f"promote/sandbox-to-staging-{published[:12]}"
    assert git("rev-parse", "main", cwd=remote) == tip
    assert [pull["head"] for pull in github.opened] == [branch]
    pull = github.opened[0]
    message = git("log", "-1", "--format=%B", branch, cwd=remote)
    assert pull["base"] == "main"
    assert pull["title"] == message.splitlines()[0]
    assert pull["body"] == message.split("\n", 1)[1].strip()
    assert "Promoted-From: sandbox" in pull["body"]
    assert f"opened pull request https://github.example/{REPO}/pull/" in capsys.readouterr().err


def test_a_refused_pull_request_takes_its_branch_back(
    *,
    git: Git,
    remote: Path,
    sandbox: Callable[..., str],
    cli: Callable[..., int],
    github: FakeGitHub,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sandbox()
    before = git.state(Path("/nonexistent"), remote)
    github.deny_pulls = 403

    assert cli("--pull-request", "--repository", REPO) == 1

    assert git.state(Path("/nonexistent"), remote) == before  # no branch left behind
    err = capsys.readouterr().err
    assert "GitHub refused to open a pull request on example/wildside (HTTP 403" in err
    assert "deleted branch promote/sandbox-to-staging-" in err


def test_a_token_github_refuses_stops_before_anything_is_pushed(
    git: Git,
    remote: Path,
    sandbox: Callable[..., str],
    cli: Callable[..., int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sandbox()
    before = git.state(Path("/nonexistent"), remote)
    monkeypatch.setenv("GITHUB_TOKEN", "not-the-token")

    assert cli("--pull-request", "--repository", REPO) == 1
    assert git.state(Path("/nonexistent"), remote) == before


@pytest.mark.parametrize(
    ("args", "unset", "expected"),
    [
        (("--pull-request", "--repository", REPO), "GITHUB_TOKEN", "--pull-request needs GITHUB"),
        (("--pull-request", "--repository", "not a repo"), "", "--repository: 'not a repo'"),
        (("--pull-request",), "WILDSIDE_GITOPS_REMOTE", "--pull-request needs a remote"),
    ],
)
def test_pull_request_bad_input_exits_2_and_writes_nothing(
    *,
    git: Git,
    remote: Path,
    sandbox: Callable[..., str],
    cli: Callable[..., int],
    github: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    unset: str,
    expected: str,
) -> None:
    sandbox()
    before = git.state(Path("/nonexistent"), remote)
    if unset:
        monkeypatch.delenv(unset)

    assert cli(*args) == 2

    assert expected in capsys.readouterr().err
    assert git.state(Path("/nonexistent"), remote) == before
    assert github.requests == []


def test_branch_mode_without_a_remote_makes_a_local_branch(
    tmp_path: Path,
    git: Git,
    sandbox: Callable[..., str],
    promoter: Callable[..., Any],
) -> None:
    workdir = tmp_path / "local"
    published = sandbox(workdir=workdir, remote=None)

    outcome = promoter("sandbox", "staging", workdir=workdir, remote=None, review_branch="")

    branch = f"promote/sandbox-to-staging-{published[:12]}"
    assert git("rev-parse", "main", cwd=workdir) == published
    assert git("rev-parse", f"{branch}^", cwd=workdir) == published
    assert git("status", "--porcelain", cwd=workdir) == ""
    assert outcome.result.commit_sha == git("rev-parse", branch, cwd=workdir)
