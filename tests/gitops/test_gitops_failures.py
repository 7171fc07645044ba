"""Failures leave the working tree, index, local branch and remote as they were."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from wildside_ops.gitops import PublishError, PublishRequest, publish
from wildside_ops.gitops.gitrepo import GitRepo

if TYPE_CHECKING:
    from tests.gitops.conftest import Git


def _quiet(_line: str) -> None:
    pass


def _changed(request: PublishRequest) -> dict[str, str]:
    files = dict(request.files)
    files["platform/traefik/helmrelease.yaml"] = "version: 2\n"
    files["clusters/dev/new.yaml"] = "new: true\n"
    del files["clusters/dev/cert-manager.yaml"]
    return files


@pytest.mark.parametrize("step", ["write_tree", "commit_tree"])
def test_failure_after_hashing_changes_nothing(
    step: str,
    git: Git,
    remote: Path,
    make_request: Callable[..., PublishRequest],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    request = make_request()
    publish(request, log=_quiet)
    before = git.state(request.workdir, remote)
    stored: list[str] = []
    real_write_blobs = GitRepo.write_blobs

    def counting_write_blobs(self: GitRepo, blobs: Mapping[str, bytes]) -> None:
        real_write_blobs(self, blobs)
        stored.extend(blobs)

    def broken(*_args: object, **_kwargs: object) -> str:
        raise PublishError("simulated disk failure")

    monkeypatch.setattr(GitRepo, "write_blobs", counting_write_blobs)
    monkeypatch.setattr(GitRepo, step, broken)
    with pytest.raises(PublishError, match="simulated disk failure"):
        publish(make_request(files=_changed(request)), log=_quiet)

    assert stored  # objects were written before the failure
    assert git.state(request.workdir, remote) == before


def test_push_refused_every_time_leaves_no_trace(
    git: Git, remote: Path, make_request: Callable[..., PublishRequest], logs: list[str]
) -> None:
    request = make_request()
    publish(request, log=_quiet)
    before = git.state(request.workdir, remote)
    git.hook(remote, "pre-receive", "echo 'policy: frozen' >&2\nexit 1\n")

    with pytest.raises(PublishError) as caught:
        publish(make_request(files=_changed(request), push_budget_seconds=5), log=logs.append)

    message = str(caught.value)
    assert message.startswith("push to main rejected ")
    assert "push budget of 5 s" in message
    # The message names the real knob, in each place it can be set.
    assert "gitops.push_budget_seconds" in message
    assert "WILDSIDE_GITOPS_PUSH_BUDGET" in message
    assert "gitops_push_budget" in message
    assert "pre-receive hook declined" in message
    assert "policy: frozen" in message
    assert git.state(request.workdir, remote) == before
    assert git.count(request.workdir) == 1
    retries = sum("rejected (attempt" in line for line in logs)
    # A 5 s budget of 0.06-8 s waits allows a few retries, never an endless loop.
    assert 2 <= retries <= 10


def test_push_refused_once_is_retried(
    tmp_path: Path,
    git: Git,
    remote: Path,
    make_request: Callable[..., PublishRequest],
    logs: list[str],
) -> None:
    marker = tmp_path / "refused-once"
    git.hook(
        remote,
        "pre-receive",
        f'if [ ! -e "{marker}" ]; then touch "{marker}"; echo busy >&2; exit 1; fi\nexit 0\n',
    )
    request = make_request()
    result = publish(request, log=logs.append)

    assert marker.exists()
    assert result.pushed
    assert git("rev-parse", "main", cwd=remote) == result.commit_sha
    assert git("rev-parse", "main", cwd=request.workdir) == result.commit_sha
    assert any("pushed" in line and "(attempt 2)" in line for line in logs)


def test_unreachable_remote_is_not_retried(
    tmp_path: Path, git: Git, make_request: Callable[..., PublishRequest]
) -> None:
    with pytest.raises(PublishError, match="querying the remote failed"):
        publish(make_request(remote=str(tmp_path / "missing.git")), log=_quiet)


def test_local_edits_in_the_way_are_not_overwritten(
    git: Git, remote: Path, make_request: Callable[..., PublishRequest]
) -> None:
    request = make_request()
    publish(request, log=_quiet)
    edited = request.workdir / "platform/traefik/helmrelease.yaml"
    edited.write_text("# local edit\n")
    before = git.state(request.workdir, remote)

    with pytest.raises(PublishError, match="local changes that publishing would overwrite"):
        publish(make_request(files=_changed(request)), log=_quiet)

    assert git.state(request.workdir, remote) == before
    assert edited.read_text() == "# local edit\n"


def test_local_edits_elsewhere_survive_a_publish(
    git: Git, remote: Path, make_request: Callable[..., PublishRequest]
) -> None:
    git.seed(remote, {"README.md": "# original\n"})
    request = make_request()
    publish(request, log=_quiet)
    (request.workdir / "README.md").write_text("# edited, not committed\n")

    result = publish(make_request(files=_changed(request)), log=_quiet)

    assert result.pushed
    assert (request.workdir / "README.md").read_text() == "# edited, not committed\n"
    assert git.blob(remote, "main", "README.md") == b"# original\n"
    assert git("status", "--porcelain", cwd=request.workdir) == "M README.md"


def test_local_commits_not_on_the_remote_are_refused(
    git: Git, remote: Path, make_request: Callable[..., PublishRequest]
) -> None:
    request = make_request()
    publish(request, log=_quiet)
    (request.workdir / "README.md").write_text("local\n")
    git("add", "README.md", cwd=request.workdir)
    git("commit", "--quiet", "-m", "local only", cwd=request.workdir)
    before = git.state(request.workdir, remote)

    with pytest.raises(PublishError, match="has commits that origin/main does not"):
        publish(make_request(files=_changed(request)), log=_quiet)
    assert git.state(request.workdir, remote) == before


def test_other_branch_checked_out_is_refused(
    git: Git, remote: Path, make_request: Callable[..., PublishRequest]
) -> None:
    request = make_request()
    publish(request, log=_quiet)
    git("switch", "--quiet", "-c", "feature", cwd=request.workdir)
    with pytest.raises(PublishError, match="has branch 'feature' checked out"):
        publish(make_request(files=_changed(request)), log=_quiet)


def test_unwritable_workdir_is_a_clear_error(
    make_request: Callable[..., PublishRequest],
) -> None:
    # /proc refuses new folders even to root, as a read-only mount would.
    workdir = Path("/proc/self/wildside-gitops")
    with pytest.raises(PublishError, match="cannot write the GitOps workdir") as caught:
        publish(make_request(workdir=workdir), log=_quiet)
    assert "WILDSIDE_GITOPS_DIR" in str(caught.value)
