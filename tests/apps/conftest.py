"""Fixtures for `wildside app`: a real bare remote, the CLI as a subprocess."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import clean_env, git, run_app
from tests.support import EXAMPLE

DIGEST = "sha256:" + "a" * 64


def sha(seed: int) -> str:
    return f"{seed:040x}"


def images(commit: str, digest: str = DIGEST) -> list[str]:
    return [
        "--image",
        f"backend=ghcr.io/example/backend:{commit}@{digest}",
        "--image",
        f"frontend=ghcr.io/example/frontend:{commit}@{digest}",
    ]


@dataclass
class Apps:
    root: Path
    remote: Path
    workdir: Path
    env: dict[str, str]
    config: Path
    logs: list[str] = field(default_factory=list)

    def run(
        self, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        done = run_app(["app", *args], {**self.env, **(env or {})}, timeout=120)
        self.logs.append(done.stdout + done.stderr)
        return done

    def deploy(self, number: int, commit: str, *extra: str) -> subprocess.CompletedProcess[str]:
        return self.run("deploy", "--pr", str(number), "--sha", commit, *images(commit), *extra)

    def configure(self, replacements: Sequence[tuple[str, str]]) -> None:
        text = EXAMPLE.read_text()
        for old, new in replacements:
            assert old in text, old
            text = text.replace(old, new)
        self.config.write_text(text)

    def commits(self) -> int:
        return int(git("rev-list", "--count", "main", cwd=self.remote))

    def commits_or_zero(self) -> int:
        """Commits on main, 0 when nothing was ever pushed."""
        found = subprocess.run(
            ["git", "-C", str(self.remote), "rev-parse", "--verify", "--quiet", "main"],
            capture_output=True,
            check=False,
        )
        return self.commits() if found.returncode == 0 else 0

    def files(self, ref: str = "main") -> list[str]:
        return git("ls-tree", "-r", "--name-only", ref, cwd=self.remote).splitlines()

    def checkout(self, into: Path) -> Path:
        """The remote's main branch as plain files (what Flux would check out)."""
        into.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(self.remote), "archive", "main"], capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
        return into


@pytest.fixture
def apps(tmp_path: Path) -> Iterator[Apps]:
    remote = tmp_path / "apps.git"
    subprocess.run(
        ["git", "init", "--quiet", "--bare", "--initial-branch=main", str(remote)], check=True
    )
    config = tmp_path / "wildside.toml"
    config.write_text(EXAMPLE.read_text())
    env = clean_env(
        tmp_path,
        {
            "WILDSIDE_CONFIG": str(config),
            "WILDSIDE_APPS_DIR": str(tmp_path / "work"),
            "WILDSIDE_APPS_REMOTE": str(remote),
        },
    )
    env.pop("GITHUB_TOKEN", None)
    yield Apps(tmp_path, remote, tmp_path / "work", env, config)
