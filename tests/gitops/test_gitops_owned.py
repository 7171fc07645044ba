"""Owned-prefix mode and files rendered on each attempt's base (the apps repository)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gitops.conftest import Git
from wildside_ops.gitops import PublishError, PublishRequest, publish
from wildside_ops.gitops.model import BaseTree


def _request(workdir: Path, remote: Path, **extra: object) -> PublishRequest:
    fields: dict[str, object] = {
        "cluster": "wildside",
        "files": {},
        "components": (),
        "workdir": workdir,
        "remote": str(remote),
        "owned_prefixes": ("apps/mine/", "apps/listing.txt"),
        **extra,
    }
    return PublishRequest(**fields)  # type: ignore[arg-type]


def test_owned_prefixes_hold_exactly_the_files_and_nothing_else_is_touched(
    tmp_path: Path, remote: Path, git: Git
) -> None:
    git.seed(remote, {"apps/mine/old.txt": "old\n", "apps/theirs/keep.txt": "keep\n"})
    request = _request(tmp_path / "work", remote, files={"apps/mine/new.txt": "new\n"})
    result = publish(request, log=lambda _line: None)
    assert result.removed == ("apps/mine/old.txt",)
    assert git.paths(remote) == ["apps/mine/new.txt", "apps/theirs/keep.txt"]
    assert not [p for p in git.paths(remote) if p.startswith(".wildside/")]


def test_a_path_outside_the_owned_prefixes_is_refused_before_anything_is_written(
    tmp_path: Path, remote: Path, git: Git
) -> None:
    request = _request(tmp_path / "work", remote, files={"apps/theirs/x.txt": "x\n"})
    with pytest.raises(PublishError, match="outside the paths this publish owns"):
        publish(request, log=lambda _line: None)
    assert not (tmp_path / "work").exists()


def test_files_are_rendered_again_on_the_new_tip_after_a_rejected_push(
    tmp_path: Path, remote: Path, git: Git
) -> None:
    git.seed(remote, {"apps/listing.txt": "a\n"})
    seen: list[frozenset[str]] = []

    def render(tree: BaseTree) -> dict[str, str]:
        seen.append(tree.paths)
        if len(seen) == 1:
            # Another publisher lands first: our push is rejected and we re-plan.
            git.seed(remote, {"apps/other/b.txt": "b\n"})
        names = sorted(p.split("/")[-1] for p in tree.paths if p.startswith("apps/other/"))
        listing = tree.read(["apps/listing.txt"])["apps/listing.txt"]
        return {"apps/listing.txt": listing + "".join(f"{n}\n" for n in names) + "mine\n"}

    request = _request(tmp_path / "work", remote, files_for_base=render, subject="test: mine")
    result = publish(request, log=lambda _line: None)
    assert len(seen) == 2 and result.pushed
    assert git.blob(remote, "main", "apps/listing.txt") == b"a\nb.txt\nmine\n"
    assert git("log", "-1", "--format=%s", "main", cwd=remote) == "test: mine"
