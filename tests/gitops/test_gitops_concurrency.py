"""Publishers racing on one remote, and on one workdir."""

from __future__ import annotations

import fcntl
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from wildside_ops.gitops import PublishError, PublishRequest, PublishResult, publish
from wildside_ops.gitops.gitrepo import GitRepo, PushOutcome
from wildside_ops.gitops.workdir import LOCK_NAME

if TYPE_CHECKING:
    from tests.gitops.conftest import Git


def _race(requests: list[PublishRequest]) -> list[PublishResult]:
    """Start every publish at the same moment, each on its own thread."""
    barrier = threading.Barrier(len(requests))

    def run(request: PublishRequest) -> PublishResult:
        barrier.wait()
        return publish(request, log=lambda _line: None)

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(run, requests))


def test_different_clusters_both_land(
    git: Git, remote: Path, make_request: Callable[..., PublishRequest]
) -> None:
    # Both render the same shared files, so neither needs consent from the other.
    dev, prod = make_request(cluster="dev"), make_request(cluster="prod")
    for _round in range(3):
        _race([dev, prod])
    tree = git.paths(remote)
    assert ".wildside/ownership/dev.json" in tree
    assert ".wildside/ownership/prod.json" in tree
    assert "clusters/dev/kustomization.yaml" in tree
    assert "clusters/prod/kustomization.yaml" in tree
    assert git.count(remote) == 2  # later rounds changed nothing
    for workdir in (dev.workdir, prod.workdir):
        assert git("status", "--porcelain", cwd=workdir) == ""


def test_same_cluster_same_files_commits_once(
    tmp_path: Path, git: Git, remote: Path, make_request: Callable[..., PublishRequest]
) -> None:
    first = make_request(workdir=tmp_path / "a")
    second = make_request(workdir=tmp_path / "b")
    results = _race([first, second])
    assert git.count(remote) == 1
    shas = sorted(result.commit_sha for result in results)
    assert shas[0] == ""
    assert shas[1] == git("rev-parse", "main", cwd=remote)
    # The loser caught up with the winner's commit.
    assert git("rev-parse", "main", cwd=first.workdir) == git("rev-parse", "main", cwd=remote)
    assert git("rev-parse", "main", cwd=second.workdir) == git("rev-parse", "main", cwd=remote)


def test_same_workdir_is_serialised(
    git: Git, remote: Path, make_request: Callable[..., PublishRequest]
) -> None:
    request = make_request()
    results = _race([request, request, request])
    assert git.count(remote) == 1
    assert sorted(bool(result.commit_sha) for result in results) == [False, False, True]


def test_lock_makes_a_second_publisher_wait(
    git: Git, remote: Path, make_request: Callable[..., PublishRequest]
) -> None:
    request = make_request()
    publish(request, log=lambda _line: None)
    logs: list[str] = []
    changed = dict(request.files)
    changed["clusters/dev/extra.yaml"] = "extra: 1\n"
    waiting = make_request(files=changed)
    with (request.workdir / ".git" / LOCK_NAME).open("a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        worker = threading.Thread(target=publish, args=(waiting,), kwargs={"log": logs.append})
        worker.start()
        time.sleep(0.3)
        assert worker.is_alive()
        assert git.count(remote) == 1
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    worker.join(timeout=30)
    assert not worker.is_alive()
    assert logs[0].startswith("waiting for another publisher")
    assert git.count(remote) == 2


def _interleave(monkeypatch: pytest.MonkeyPatch, winner: PublishRequest) -> None:
    """Make the next push wait until ``winner`` has published: a race, deterministically."""
    real_push = GitRepo.push
    pending = [winner]

    def push(self: GitRepo, commit: str, branch: str, expected: str | None) -> PushOutcome:
        if pending:
            publish(pending.pop(), log=lambda _line: None)
        return real_push(self, commit, branch, expected)

    monkeypatch.setattr(GitRepo, "push", push)


def test_identical_commit_pushed_by_a_racer_is_not_reported_as_ours(
    tmp_path: Path,
    git: Git,
    remote: Path,
    make_request: Callable[..., PublishRequest],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Same second, same files, same identity: both racers build the same commit id,
    # and the loser's push prints "up to date" and exits 0.
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_DATE", "2026-01-01T00:00:00Z")
    winner = make_request(workdir=tmp_path / "a")
    loser = make_request(workdir=tmp_path / "b")
    _interleave(monkeypatch, winner)
    logs: list[str] = []

    result = publish(loser, log=logs.append)

    assert git.count(remote) == 1
    assert result.commit_sha == ""
    assert not result.pushed
    assert any("no change" in line for line in logs)
    tip = git("rev-parse", "main", cwd=remote)
    assert git("rev-parse", "main", cwd=loser.workdir) == tip
    assert git("status", "--porcelain", cwd=loser.workdir) == ""


def test_same_cluster_changed_meanwhile_is_refused(
    tmp_path: Path,
    git: Git,
    remote: Path,
    make_request: Callable[..., PublishRequest],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = make_request(workdir=tmp_path / "a")
    second = make_request(workdir=tmp_path / "b", components=("traefik",))
    _interleave(monkeypatch, first)

    with pytest.raises(PublishError, match="another publisher changed cluster 'dev'") as caught:
        publish(second, log=lambda _line: None)

    assert "allow_overwrite" in str(caught.value)
    # The first publisher's settings stand; the second pushed nothing.
    assert git.count(remote) == 1
    assert "platform/cert-manager/helmrelease.yaml" in git.paths(remote)


def test_same_cluster_overwrite_with_consent(
    tmp_path: Path,
    git: Git,
    remote: Path,
    make_request: Callable[..., PublishRequest],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = make_request(workdir=tmp_path / "a")
    second = make_request(workdir=tmp_path / "b", components=("traefik",), allow_overwrite=True)
    _interleave(monkeypatch, first)

    result = publish(second, log=lambda _line: None)

    assert result.pushed
    assert git.count(remote) == 2
    assert "platform/cert-manager/helmrelease.yaml" not in git.paths(remote)
