"""Ownership that records alone cannot talk into deleting shared files; cluster removal."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from wildside_ops.gitops import PublishError, PublishRequest, publish

if TYPE_CHECKING:
    from tests.gitops.conftest import Git

FOLDERS = {"traefik": "traefik", "cnpg": "databases", "valkey": "redis"}


def _quiet(_line: str) -> None:
    pass


def flux_tree(cluster: str, units: list[str]) -> dict[str, str]:
    """Files shaped as the renderer's: a Flux Kustomization per unit, applying a folder."""
    files = {
        f"clusters/{cluster}/kustomization.yaml": "resources:\n"
        + "".join(f"  - {unit}.yaml\n" for unit in units)
    }
    for unit in units:
        folder = FOLDERS[unit]
        files[f"clusters/{cluster}/{unit}.yaml"] = (
            "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n"
            f"metadata:\n  name: {unit}\n  namespace: flux-system\n"
            f"spec:\n  path: ./platform/{folder}\n  prune: true\n"
        )
        files[f"platform/{folder}/kustomization.yaml"] = "resources:\n  - helmrelease.yaml\n"
        files[f"platform/{folder}/helmrelease.yaml"] = f"# {folder}\n"
    return files


def _request(tmp_path: Path, remote: Path, cluster: str, units: list[str]) -> PublishRequest:
    return PublishRequest(
        cluster=cluster,
        files=flux_tree(cluster, units),
        components=tuple(FOLDERS[unit] for unit in units),
        workdir=tmp_path / f"work-{cluster}",
        remote=str(remote),
    )


def _edit_remote(git: Git, remote: Path, change: Callable[[Path], None]) -> None:
    """Change the remote's main by hand, as someone tampering with the repository."""
    work = remote.parent / f"hand-{os.urandom(4).hex()}"
    subprocess.run(["git", "clone", "--quiet", str(remote), str(work)], check=True)
    change(work)
    git("add", "--all", cwd=work)
    git("commit", "--quiet", "-m", "by hand", cwd=work)
    git("push", "--quiet", "origin", "HEAD:refs/heads/main", cwd=work)


def _two_clusters(tmp_path: Path, remote: Path) -> None:
    publish(_request(tmp_path, remote, "prod", ["traefik"]), log=_quiet)
    publish(_request(tmp_path, remote, "dev", ["traefik", "cnpg"]), log=_quiet)


@pytest.mark.parametrize("tamper", ["deleted", "emptied"])
def test_tampered_record_cannot_remove_files_another_tree_applies(
    tmp_path: Path, git: Git, remote: Path, tamper: str
) -> None:
    _two_clusters(tmp_path, remote)
    record = ".wildside/ownership/prod.json"

    def change(work: Path) -> None:
        if tamper == "deleted":
            (work / record).unlink()
        else:
            (work / record).write_text("[]\n")

    _edit_remote(git, remote, change)
    result = publish(_request(tmp_path, remote, "dev", ["cnpg"]), log=_quiet)

    # dev's own unit file goes; the folder prod's tree still applies stays.
    assert "clusters/dev/traefik.yaml" in result.removed
    tree = git.paths(remote)
    assert "platform/traefik/helmrelease.yaml" in tree
    assert "platform/traefik/kustomization.yaml" in tree


@pytest.mark.parametrize("shape", ["folder", "symlink", "executable"])
def test_record_that_is_not_a_regular_file_is_an_error(
    tmp_path: Path, git: Git, remote: Path, shape: str
) -> None:
    _two_clusters(tmp_path, remote)
    record = ".wildside/ownership/dev.json"

    def change(work: Path) -> None:
        path = work / record
        listed = path.read_text()
        path.unlink()
        if shape == "folder":
            path.mkdir()
            (path / "list.json").write_text(listed)
        elif shape == "symlink":
            path.symlink_to("prod.json")
        else:
            path.write_text(listed)
            path.chmod(0o755)

    _edit_remote(git, remote, change)
    tip = git("rev-parse", "main", cwd=remote)

    with pytest.raises(PublishError, match="not a regular JSON file") as caught:
        publish(_request(tmp_path, remote, "dev", ["traefik"]), log=_quiet)

    assert "git log -- .wildside/ownership" in str(caught.value)
    assert git("rev-parse", "main", cwd=remote) == tip


def test_remove_cluster_takes_its_folder_record_and_unshared_files(
    tmp_path: Path, git: Git, remote: Path
) -> None:
    _two_clusters(tmp_path, remote)
    removal = PublishRequest(
        cluster="dev",
        files={},
        components=(),
        workdir=tmp_path / "work-dev",
        remote=str(remote),
        remove_cluster=True,
    )

    result = publish(removal, log=_quiet)

    tree = git.paths(remote)
    assert not [path for path in tree if path.startswith("clusters/dev/")]
    assert ".wildside/ownership/dev.json" not in tree
    assert not [path for path in tree if path.startswith("platform/databases/")]
    # prod applies traefik: it stays, as does prod itself.
    assert "platform/traefik/helmrelease.yaml" in tree
    assert ".wildside/ownership/prod.json" in tree
    assert "platform/databases/helmrelease.yaml" in result.removed
    subject = git("log", "-1", "--format=%s", "main", cwd=remote)
    assert subject.startswith("wildside: remove cluster dev (")
    # Removing it again changes nothing.
    assert publish(removal, log=_quiet).commit_sha == ""


def test_commit_subject_names_every_component_including_databases_and_redis(
    tmp_path: Path, git: Git, remote: Path
) -> None:
    # prod already published the shared folders, so dev's first commit adds only
    # its own unit files: those must still name their components.
    publish(_request(tmp_path, remote, "prod", ["traefik", "cnpg", "valkey"]), log=_quiet)
    publish(_request(tmp_path, remote, "dev", ["traefik", "cnpg", "valkey"]), log=_quiet)
    subject = git("log", "-1", "--format=%s", "main", cwd=remote)
    assert subject == "wildside: publish dev (traefik, databases, redis)"
    record = json.loads(git.blob(remote, "main", ".wildside/ownership/dev.json"))
    assert "clusters/dev/valkey.yaml" in record


def test_remove_cluster_command_needs_consent(
    tmp_path: Path, git: Git, remote: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.cli import main

    _two_clusters(tmp_path, remote)
    monkeypatch.setenv("WILDSIDE_GITOPS_DIR", str(tmp_path / "operator"))
    monkeypatch.setenv("WILDSIDE_GITOPS_REMOTE", str(remote))
    tip = git("rev-parse", "main", cwd=remote)

    assert main(["gitops", "remove-cluster", "dev"]) == 2
    assert main(["gitops", "remove-cluster", "dev", "--dry-run"]) == 0
    assert git("rev-parse", "main", cwd=remote) == tip

    assert main(["gitops", "remove-cluster", "dev", "--yes"]) == 0
    tree = git.paths(remote)
    assert not [path for path in tree if path.startswith("clusters/dev/")]
    assert "clusters/prod/traefik.yaml" in tree
