"""Ownership records, pruning and consent for shared files."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from wildside_ops.gitops import PublishError, PublishRequest, publish

if TYPE_CHECKING:
    from tests.gitops.conftest import Git


def _quiet(_line: str) -> None:
    pass


FOREIGN = {
    "README.md": "# GitOps repository\n",
    "clusters/staging/kustomization.yaml": "resources: []\n",
    "docs/notes.md": "hand-written\n",
}


def _foreign_intact(git: Git, remote: Path) -> None:
    for path, text in FOREIGN.items():
        assert git.blob(remote, "main", path) == text.encode()


def test_pruning_keeps_foreign_and_shared_files(
    git: Git, remote: Path, make_request: Callable[..., PublishRequest]
) -> None:
    git.seed(remote, FOREIGN)
    both = make_request()
    publish(both, log=_quiet)
    _foreign_intact(git, remote)
    # prod renders traefik only; its shared files equal dev's, so no consent is needed.
    publish(make_request(cluster="prod", components=["traefik"]), log=_quiet)
    prod_record = json.loads(git.blob(remote, "main", ".wildside/ownership/prod.json"))
    assert "platform/traefik/helmrelease.yaml" in prod_record
    assert "clusters/prod/kustomization.yaml" in prod_record

    # A single file dropped from dev's rendering is removed.
    files = dict(both.files)
    del files["clusters/dev/cert-manager.yaml"]
    result = publish(make_request(files=files), log=_quiet)
    assert result.removed == ("clusters/dev/cert-manager.yaml",)
    assert not (both.workdir / "clusters/dev/cert-manager.yaml").exists()

    # Switching cert-manager off removes exactly its files and the emptied folders.
    traefik_only = make_request(components=["traefik"])
    result = publish(traefik_only, log=_quiet)
    assert result.removed == (
        "platform/cert-manager/helmrelease.yaml",
        "platform/sources/jetstack/helmrepository.yaml",
    )
    assert not (both.workdir / "platform/cert-manager").exists()
    assert not (both.workdir / "platform/sources").exists()
    subject = git("log", "-1", "--format=%s", "main", cwd=remote)
    # Folders of switched-off components are named; traefik itself did not change.
    assert subject == "wildside: publish dev (cert-manager removed, sources removed)"
    _foreign_intact(git, remote)

    # dev stops rendering traefik: its own cluster files go, prod's shared ones stay.
    result = publish(make_request(components=[], files={}), log=_quiet)
    assert "clusters/dev/traefik.yaml" in result.removed
    assert "platform/traefik/helmrelease.yaml" not in result.removed
    tree = git.paths(remote)
    assert "platform/traefik/helmrelease.yaml" in tree
    assert not [path for path in tree if path.startswith("clusters/dev/")]
    assert (both.workdir / "platform/traefik/helmrelease.yaml").exists()
    assert json.loads(git.blob(remote, "main", ".wildside/ownership/dev.json")) == []
    _foreign_intact(git, remote)

    # Once prod drops traefik too, nothing else lists the shared files: they go.
    result = publish(make_request(cluster="prod", components=[]), log=_quiet)
    assert "platform/traefik/helmrelease.yaml" in result.removed
    assert not (both.workdir.parent / "work-prod/platform").exists()
    _foreign_intact(git, remote)


def test_shared_platform_change_needs_consent(
    git: Git, remote: Path, make_request: Callable[..., PublishRequest]
) -> None:
    publish(make_request(cluster="prod", components=["traefik"]), log=_quiet)
    dev = make_request(components=["traefik"])
    publish(dev, log=_quiet)

    files = dict(dev.files)
    files["platform/traefik/helmrelease.yaml"] = "version: 2\n"
    files["modules/shared-module.yaml"] = "free: true\n"
    before = git.state(dev.workdir, remote)
    for dry_run in (True, False):
        with pytest.raises(PublishError) as caught:
            publish(make_request(files=files, dry_run=dry_run), log=_quiet)
        message = str(caught.value)
        assert "platform/traefik/helmrelease.yaml" in message
        assert "'prod'" in message
        assert "--allow-shared-change" in message
        assert git.state(dev.workdir, remote) == before

    result = publish(make_request(files=files, allow_shared_change=True), log=_quiet)
    assert result.changed == (
        ".wildside/ownership/dev.json",
        "platform/traefik/helmrelease.yaml",
    )
    assert git.blob(remote, "main", "platform/traefik/helmrelease.yaml") == b"version: 2\n"


def test_modules_are_exempt_from_consent(
    git: Git, remote: Path, make_request: Callable[..., PublishRequest]
) -> None:
    module = {"modules/common.yaml": "v: 1\n"}
    publish(make_request(cluster="prod", files=module, components=[]), log=_quiet)
    result = publish(
        make_request(files={"modules/common.yaml": "v: 2\n"}, components=[]), log=_quiet
    )
    assert result.changed == ("modules/common.yaml",)
    assert git.blob(remote, "main", "modules/common.yaml") == b"v: 2\n"


def test_corrupt_record_is_reported(
    git: Git, remote: Path, make_request: Callable[..., PublishRequest]
) -> None:
    git.seed(remote, {".wildside/ownership/prod.json": "{not json\n"})
    with pytest.raises(PublishError, match=r"ownership record .wildside/ownership/prod.json"):
        publish(make_request(), log=_quiet)


def test_record_listing_foreign_paths_never_deletes_them(
    git: Git, remote: Path, make_request: Callable[..., PublishRequest]
) -> None:
    hostile = json.dumps(["README.md", "clusters/staging/kustomization.yaml", "../etc"]) + "\n"
    git.seed(remote, {**FOREIGN, ".wildside/ownership/dev.json": hostile})
    result = publish(make_request(), log=_quiet)
    assert result.removed == ()
    _foreign_intact(git, remote)
