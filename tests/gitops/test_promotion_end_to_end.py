"""Three real clusters, one remote: a sandbox change reaches staging and production only
when promoted, each promotion is exactly that change, and a revert undoes it."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from app.runtime import PROJECT_ROOT
from tests.support import SCHEMAS, config, render_platform
from wildside_constructs.promotion import ENVIRONMENTS, platform_root
from wildside_constructs.validation.disk import check_tree
from wildside_ops.gitops import PublishError, PublishRequest, publish
from wildside_ops.gitops.tree import flux_paths

if TYPE_CHECKING:
    from tests.gitops.conftest import Git

EXAMPLES = PROJECT_ROOT / "app" / "config" / "examples"
RELEASE = "platform/traefik/helmrelease.yaml"


@pytest.fixture(scope="module")
def renders() -> dict[str, dict[str, str]]:
    return {
        env: dict(render_platform(config(path=EXAMPLES / f"{env}.toml"), schemas=False).rendered)
        for env in ENVIRONMENTS
    }


def bumped(files: dict[str, str]) -> dict[str, str]:
    """The sandbox render as the next release of this program would make it."""
    text = files[RELEASE]
    version = next(line for line in text.splitlines() if line.strip().startswith("version:"))
    changed = dict(files)
    changed[RELEASE] = text.replace(version, version.split(":")[0] + ": 99.0.0", 1)
    return changed


def quiet(_line: str) -> None:
    """Progress lines are not what these tests check."""


def publish_cluster(tmp_path: Path, remote: Path, env: str, files: dict[str, str]) -> str:
    """Publish one cluster's render from its own workdir; the commit id."""
    request = PublishRequest(
        cluster=env,
        files=files,
        components=(),
        workdir=tmp_path / f"work-{env}",
        remote=str(remote),
    )
    return publish(request, log=quiet).commit_sha


def tree_at(git: Git, repo: Path, root: str, ref: str = "main") -> str:
    """The tree object id of ``root`` at ``ref``: equal ids, byte-identical folders."""
    return git("rev-parse", f"{ref}:{root}", cwd=repo)


def test_sandbox_changes_wait_for_promotion_and_revert_restores(
    tmp_path: Path,
    git: Git,
    remote: Path,
    renders: dict[str, dict[str, str]],
    promoter: Callable[..., Any],
) -> None:
    for env in ENVIRONMENTS:
        publish_cluster(tmp_path, remote, env, renders[env])
    promoter("sandbox", "staging")
    promoter("staging", "production")
    staging, production = platform_root("staging"), platform_root("production")
    before = {root: tree_at(git, remote, root) for root in (staging, production)}
    assert before[staging] == before[production] == tree_at(git, remote, "platform")

    # A new chart version reaches platform/ (sandbox) without consent: no other
    # cluster applies platform/ itself, staging and production read their copies.
    publish_cluster(tmp_path, remote, "sandbox", bumped(renders["sandbox"]))
    assert b"99.0.0" in git.blob(remote, "main", RELEASE)
    assert {root: tree_at(git, remote, root) for root in before} == before

    promoted = promoter("sandbox", "staging").result.commit_sha
    changed = git("diff-tree", "--no-commit-id", "--name-status", "-r", promoted, cwd=remote)
    assert changed.splitlines() == [f"M\t{staging}/traefik/helmrelease.yaml"]
    assert tree_at(git, remote, staging) == tree_at(git, remote, "platform")
    assert tree_at(git, remote, production) == before[production]

    # Rollback is a revert of the promotion commit, pushed like any other change.
    clone = tmp_path / "operator-clone"
    git("clone", "--quiet", str(remote), str(clone), cwd=tmp_path)
    git("revert", "--no-edit", promoted, cwd=clone)
    git("push", "--quiet", "origin", "main", cwd=clone)
    assert tree_at(git, remote, staging) == before[staging]


def test_an_outdated_staging_publish_cannot_undo_the_sandbox_change(
    tmp_path: Path, remote: Path, renders: dict[str, dict[str, str]]
) -> None:
    """platform/ belongs to sandbox now: a stale render elsewhere needs consent to revert it."""

    def request(env: str, files: dict[str, str]) -> PublishRequest:
        return PublishRequest(
            cluster=env, files=files, components=(), workdir=tmp_path / env, remote=str(remote)
        )

    publish(request("sandbox", renders["sandbox"]), log=quiet)
    publish(request("staging", renders["staging"]), log=quiet)
    publish(request("sandbox", bumped(renders["sandbox"])), log=quiet)
    with pytest.raises(PublishError, match="also published by cluster 'sandbox'"):
        publish(request("staging", renders["staging"]), log=quiet)


def test_the_promoted_repository_validates_and_every_unit_finds_its_folder(
    tmp_path: Path,
    git: Git,
    remote: Path,
    renders: dict[str, dict[str, str]],
    promoter: Callable[..., Any],
) -> None:
    for env in ENVIRONMENTS:
        publish_cluster(tmp_path, remote, env, renders[env])
    promoter("sandbox", "staging")
    promoter("staging", "production")
    checkout = tmp_path / "checkout"
    git("clone", "--quiet", str(remote), str(checkout), cwd=tmp_path)
    shutil.rmtree(checkout / ".git")
    _count, problems = check_tree(checkout, SCHEMAS)
    assert problems == []
    for env in ENVIRONMENTS:
        for path, text in renders[env].items():
            if path.startswith(f"clusters/{env}/") and path.count("/") == 2:
                for folder in flux_paths(text.encode()):
                    if folder.startswith(("platform/", "environments/")):
                        assert (checkout / folder / "kustomization.yaml").is_file(), (env, folder)
