"""Fixtures for the GitOps publisher: real git, bare remotes under tmp_path.

Helpers are exposed as fixtures (not importable functions) so this conftest
does not clash with others under ``tests/``.
"""

from __future__ import annotations

import os
import stat
import subprocess
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from wildside_ops.gitops import PublishRequest, publisher

COMPONENT_FILES = {
    "traefik": ("platform/traefik/helmrelease.yaml", "platform/traefik/kustomization.yaml"),
    "cert-manager": (
        "platform/cert-manager/helmrelease.yaml",
        "platform/sources/jetstack/helmrepository.yaml",
    ),
}


class Git:
    """Small wrapper for the assertions' own git calls."""

    def __call__(self, *args: str, cwd: Path, stdin: bytes | None = None) -> str:
        found = subprocess.run(
            ["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False
        )
        assert found.returncode == 0, found.stderr.decode()
        return found.stdout.decode().strip()

    def bare(self, path: Path) -> Path:
        subprocess.run(
            ["git", "init", "--quiet", "--bare", "--initial-branch=main", str(path)], check=True
        )
        return path

    def seed(self, remote: Path, files: dict[str, str], message: str = "hand-written") -> str:
        """Commit ``files`` on top of the remote's main branch by hand, as a person would."""
        work = remote.parent / f"seed-{os.urandom(4).hex()}"
        subprocess.run(["git", "clone", "--quiet", str(remote), str(work)], check=True)
        self("switch", "--quiet", "-C", "main", cwd=work)
        for path, text in files.items():
            target = work / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text.encode())
        self("add", "--all", cwd=work)
        self("commit", "--quiet", "-m", message, cwd=work)
        self("push", "--quiet", "origin", "HEAD:refs/heads/main", cwd=work)
        return self("rev-parse", "HEAD", cwd=work)

    def count(self, repo: Path, ref: str = "main") -> int:
        return int(self("rev-list", "--count", ref, cwd=repo))

    def paths(self, repo: Path, ref: str = "main") -> list[str]:
        return self("ls-tree", "-r", "--name-only", ref, cwd=repo).splitlines()

    def blob(self, repo: Path, ref: str, path: str) -> bytes:
        found = subprocess.run(
            ["git", "cat-file", "blob", f"{ref}:{path}"], cwd=repo, capture_output=True, check=True
        )
        return found.stdout

    def state(self, workdir: Path, remote: Path | None = None) -> dict[str, Any]:
        """Everything a failed publish must leave alone, compared byte for byte."""
        found: dict[str, Any] = {"exists": workdir.exists()}
        if workdir.exists():
            entries: dict[str, Any] = {}
            for path in sorted(workdir.rglob("*")):
                relative = path.relative_to(workdir)
                if relative.parts[0] == ".git":
                    continue
                info = path.stat()
                body = path.read_bytes() if path.is_file() else None
                entries[relative.as_posix()] = (body, info.st_mtime_ns)
            found["files"] = entries
            git_dir = workdir / ".git"
            if git_dir.is_dir():
                index = git_dir / "index"
                found["index"] = index.read_bytes() if index.exists() else None
                found["HEAD"] = (git_dir / "HEAD").read_text()
                found["branches"] = self(
                    "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads", cwd=workdir
                )
        if remote is not None:
            found["remote"] = self("for-each-ref", "--format=%(refname) %(objectname)", cwd=remote)
        return found

    def hook(self, remote: Path, name: str, script: str) -> None:
        path = remote / "hooks" / name
        path.write_text("#!/bin/sh\n" + script)
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


@pytest.fixture(autouse=True)
def isolated_git(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the machine's git configuration and identity out of every test."""
    home = tmp_path_factory.mktemp("home")
    config = home / "gitconfig"
    config.write_text("")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Test Person")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "test@example.invalid")
    for variable in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(variable, raising=False)
    # Retries need no real back-off here: sleeping advances a fake clock, so the
    # push budget is used up as it would be, without the wait.
    waited = [0.0]

    def sleep(seconds: float) -> None:
        waited[0] += seconds

    monkeypatch.setattr(publisher, "_sleep", sleep)
    monkeypatch.setattr(publisher, "_clock", lambda: time.monotonic() + waited[0])


@pytest.fixture
def git() -> Git:
    return Git()


@pytest.fixture
def remote(tmp_path: Path, git: Git) -> Path:
    return git.bare(tmp_path / "remote.git")


@pytest.fixture
def rendered() -> Callable[..., dict[str, str]]:
    """``rendered(cluster, components)``: a plausible file map for one cluster."""

    def render(cluster: str = "dev", components: Iterable[str] = COMPONENT_FILES) -> dict[str, str]:
        names = list(components)
        files = {
            f"clusters/{cluster}/kustomization.yaml": "resources:\n"
            + "".join(f"  - {name}.yaml\n" for name in names)
        }
        for name in names:
            files[f"clusters/{cluster}/{name}.yaml"] = f"kind: Kustomization\nname: {name}\n"
            for path in COMPONENT_FILES[name]:
                files[path] = f"# {path}\nshared: true\n"
        return files

    return render


@pytest.fixture
def make_request(
    tmp_path: Path, remote: Path, rendered: Callable[..., dict[str, str]]
) -> Callable[..., PublishRequest]:
    """Build a request against the ``remote`` fixture; keywords override defaults."""

    def build(**overrides: Any) -> PublishRequest:
        cluster = overrides.pop("cluster", "dev")
        components = tuple(overrides.pop("components", COMPONENT_FILES))
        values: dict[str, Any] = {
            "cluster": cluster,
            "files": rendered(cluster, components),
            "components": components,
            "workdir": tmp_path / f"work-{cluster}",
            "remote": str(remote),
        }
        values.update(overrides)
        return PublishRequest(**values)

    return build


@pytest.fixture
def logs() -> list[str]:
    return []


# --- promotion (wildside promote) -----------------------------------------------------


def _quiet(_line: str) -> None:
    """Swallow progress lines."""


@pytest.fixture
def sandbox(make_request: Callable[..., PublishRequest]) -> Callable[..., str]:
    """``sandbox(**overrides)``: publish cluster dev as sandbox gets it; the commit id."""

    def run(**overrides: Any) -> str:
        return publisher.publish(make_request(**overrides), log=_quiet).commit_sha

    return run


@pytest.fixture
def promoter(tmp_path: Path, remote: Path) -> Callable[..., Any]:
    """``promoter(source, target, force=False, **overrides)``: one promotion, by the API.

    Runs in the workdir ``tmp_path/operator`` unless ``workdir`` is given.
    """
    from wildside_ops.promotion.promote import PromotionRequest, promote
    from wildside_ops.promotion.rules import check_route

    def run(source: str, target: str, *, force: bool = False, **overrides: Any) -> Any:
        log = overrides.pop("log", _quiet)
        values: dict[str, Any] = {
            "route": check_route(source, target, force=force),
            "workdir": tmp_path / "operator",
            "remote": str(remote),
        }
        values.update(overrides)
        return promote(PromotionRequest(**values), log=log)

    return run
