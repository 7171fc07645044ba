"""Validation happens before anything is touched."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from wildside_ops.gitops import PublishError, PublishRequest, publish
from wildside_ops.gitops.errors import redact
from wildside_ops.gitops.paths import is_managed_path, path_problem
from wildside_ops.gitops.workdir import normalise_remote

if TYPE_CHECKING:
    from tests.gitops.conftest import Git


@pytest.mark.parametrize(
    "path",
    [
        "",
        "/etc/passwd",
        "../x",
        "platform/../x",
        "platform//x",
        "platform/x/",
        "a\\b",
        "./x",
        "platform/.git/config",
        "platform/a\nb",
    ],
)
def test_unsafe_paths_are_named(path: str) -> None:
    assert path_problem(path) is not None


@pytest.mark.parametrize(
    ("path", "managed"),
    [
        ("clusters/dev/kustomization.yaml", True),
        ("clusters/dev/traefik/a.yaml", True),
        ("clusters/prod/kustomization.yaml", False),
        ("clusters/dev", False),
        ("platform/traefik/a.yaml", True),
        ("modules/x.yaml", True),
        ("README.md", False),
        (".wildside/ownership/dev.json", False),
    ],
)
def test_managed_folders(path: str, managed: bool) -> None:
    assert path_problem(path) is None
    assert is_managed_path("dev", path) is managed


def test_redact_strips_credentials() -> None:
    line = "cloning https://bot:s3cret@github.com/o/r.git and ssh://tok@host/r"
    assert redact(line) == "cloning https://github.com/o/r.git and ssh://host/r"


def test_relative_remote_becomes_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert normalise_remote("remote.git") == str(tmp_path / "remote.git")
    assert normalise_remote("git@github.com:o/r.git") == "git@github.com:o/r.git"
    assert normalise_remote("https://github.com/o/r") == "https://github.com/o/r"


@pytest.mark.parametrize(
    ("path", "needle"),
    [
        ("README.md", "outside the folders"),
        ("clusters/prod/kustomization.yaml", "outside the folders"),
        ("../x", "'..'"),
        ("/abs/platform/x.yaml", "absolute"),
        ("platform\\x.yaml", "backslash"),
        ("platform//x.yaml", "empty segment"),
    ],
)
def test_bad_path_rejected_and_nothing_changes(
    path: str,
    needle: str,
    git: Git,
    remote: Path,
    make_request: Callable[..., PublishRequest],
) -> None:
    first = make_request()
    publish(first, log=lambda _line: None)
    before = git.state(first.workdir, remote)
    bad = make_request(files={**first.files, path: "x: 1\n"})
    with pytest.raises(PublishError) as caught:
        publish(bad, log=lambda _line: None)
    assert needle in str(caught.value)
    assert repr(path) in str(caught.value)
    assert git.state(first.workdir, remote) == before


def test_every_problem_reported_and_missing_workdir_not_created(
    tmp_path: Path, make_request: Callable[..., PublishRequest]
) -> None:
    workdir = tmp_path / "never"
    bad = make_request(
        workdir=workdir,
        files={"README.md": "x\n", "platform/a": "a\n", "platform/a/b": "b\n"},
        push_budget_seconds=-1,
    )
    with pytest.raises(PublishError) as caught:
        publish(bad, log=lambda _line: None)
    message = str(caught.value)
    assert "3 problems" in message
    assert "README.md" in message
    assert "'platform/a' is a file" in message
    assert "push_budget_seconds" in message
    assert not workdir.exists()


def test_bad_branch_and_cluster_rejected(
    tmp_path: Path, make_request: Callable[..., PublishRequest]
) -> None:
    with pytest.raises(PublishError, match=r"branch 'no\.\.good'"):
        publish(make_request(branch="no..good"), log=lambda _line: None)
    with pytest.raises(PublishError, match="cluster 'Dev_1' is not a DNS label"):
        publish(
            PublishRequest(cluster="Dev_1", files={}, components=(), workdir=tmp_path / "w"),
            log=lambda _line: None,
        )
    assert not (tmp_path / "w").exists()
