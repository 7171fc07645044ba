"""Credentials in a remote URL reach git per command and never the disk or the logs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.fakes.git_http import GitHttp, git_http
from wildside_ops.gitops import PublishError, PublishRequest, publish

if TYPE_CHECKING:
    from tests.gitops.conftest import Git

TOKEN = "s3cr3t-token-1"


def _files_containing(folder: Path, needle: str) -> list[str]:
    return [
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and needle.encode() in path.read_bytes()
    ]


def _served(tmp_path: Path, git: Git) -> Path:
    root = tmp_path / "served"
    root.mkdir()
    git.bare(root / "gitops.git")
    return root


def _url(server: GitHttp, token: str) -> str:
    return server.url.replace("http://", f"http://x-access-token:{token}@") + "/gitops.git"


def test_token_in_url_is_never_stored_and_a_new_token_just_works(
    tmp_path: Path, git: Git, make_request: Callable[..., PublishRequest]
) -> None:
    root = _served(tmp_path, git)
    workdir = tmp_path / "work"
    logs: list[str] = []
    with git_http(root, "x-access-token", TOKEN) as server:
        first = publish(make_request(workdir=workdir, remote=_url(server, TOKEN)), log=logs.append)
        assert first.pushed
        assert server.seen and all(header for header in server.seen)

        # The token is rotated: the same workdir publishes with the new one.
        server.password = "rotated-token-2"
        files = dict(make_request().files)
        files["clusters/dev/extra.yaml"] = "extra: true\n"
        second = publish(
            make_request(workdir=workdir, files=files, remote=_url(server, "rotated-token-2")),
            log=logs.append,
        )
        assert second.pushed

    for secret in (TOKEN, "rotated-token-2"):
        assert _files_containing(workdir, secret) == []
        assert not [line for line in logs if secret in line]
    assert git("config", "--get", "remote.origin.url", cwd=workdir) == server.url + "/gitops.git"
    assert git("rev-parse", "main", cwd=root / "gitops.git") == second.commit_sha


def test_refused_token_fails_cleanly_without_storing_it(
    tmp_path: Path, git: Git, make_request: Callable[..., PublishRequest]
) -> None:
    root = _served(tmp_path, git)
    workdir = tmp_path / "work"
    with git_http(root, "x-access-token", TOKEN) as server, pytest.raises(PublishError) as caught:
        publish(make_request(workdir=workdir, remote=_url(server, "wrong-token")), log=print)
    assert "wrong-token" not in str(caught.value)
    assert _files_containing(workdir, "wrong-token") == []


def test_credentials_stored_by_an_older_run_are_removed(
    tmp_path: Path, git: Git, make_request: Callable[..., PublishRequest]
) -> None:
    root = _served(tmp_path, git)
    workdir = tmp_path / "work"
    with git_http(root, "x-access-token", TOKEN) as server:
        publish(make_request(workdir=workdir, remote=_url(server, TOKEN)), log=print)
        git("remote", "set-url", "origin", _url(server, "old-token"), cwd=workdir)
        publish(make_request(workdir=workdir, remote=_url(server, TOKEN)), log=print)
    assert _files_containing(workdir, "old-token") == []


def test_workdir_from_a_mistyped_remote_is_re_pointed(
    tmp_path: Path, git: Git, remote: Path, make_request: Callable[..., PublishRequest]
) -> None:
    workdir = tmp_path / "work"
    with pytest.raises(PublishError, match="querying the remote failed"):
        publish(make_request(workdir=workdir, remote=str(tmp_path / "nonexistent.git")), log=print)

    result = publish(make_request(workdir=workdir), log=print)

    assert result.pushed
    assert git("config", "--get", "remote.origin.url", cwd=workdir) == str(remote)


def test_workdir_with_history_is_not_re_pointed(
    tmp_path: Path, git: Git, remote: Path, make_request: Callable[..., PublishRequest]
) -> None:
    workdir = tmp_path / "work"
    publish(make_request(workdir=workdir), log=print)
    other = git.bare(tmp_path / "other.git")
    with pytest.raises(PublishError, match="is a clone of"):
        publish(make_request(workdir=workdir, remote=str(other)), log=print)


def test_credential_urls_in_git_output_are_redacted(
    git: Git, remote: Path, make_request: Callable[..., PublishRequest]
) -> None:
    git.hook(
        remote, "pre-receive", "echo 'mirror https://bot:hunter2@mirror.invalid/x' >&2\nexit 1\n"
    )
    logs: list[str] = []
    with pytest.raises(PublishError) as caught:
        publish(make_request(push_budget_seconds=0), log=logs.append)
    message = str(caught.value)
    assert "https://mirror.invalid/x" in message
    assert "hunter2" not in message
    assert not [line for line in logs if "hunter2" in line]
