"""Concurrent deploys and teardowns of different pull requests on one remote.

Each process has its own workdir, as separate CI jobs do, so every one of them
races the others' pushes and must re-render the listing on the new tip.
"""

from __future__ import annotations

import subprocess
import sys

from app.runtime import PROJECT_ROOT
from tests.apps.conftest import Apps, images, sha
from tests.conftest import git
from wildside_constructs.yamlout import load

COUNT = 6


def _start(apps: Apps, number: int, *args: str) -> subprocess.Popen[str]:
    env = {**apps.env, "WILDSIDE_APPS_DIR": str(apps.root / f"work-{number}")}
    return subprocess.Popen(
        [sys.executable, "-m", "app", "app", *args],
        env=env,
        cwd=str(PROJECT_ROOT),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(processes: list[subprocess.Popen[str]]) -> None:
    for process in processes:
        _out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err


def test_concurrent_deploys_all_land_and_concurrent_teardowns_empty_the_listing(
    apps: Apps,
) -> None:
    numbers = range(1, COUNT + 1)
    _finish(
        [
            _start(apps, n, "deploy", "--pr", str(n), "--sha", sha(n), *images(sha(n)))
            for n in numbers
        ]
    )
    listing = load(git("show", "main:overlays/ephemeral/kustomization.yaml", cwd=apps.remote))
    assert listing["resources"] == [f"pr-{n}" for n in numbers]
    assert apps.commits() == COUNT
    _finish([_start(apps, n, "teardown", "--pr", str(n)) for n in numbers])
    listing = load(git("show", "main:overlays/ephemeral/kustomization.yaml", cwd=apps.remote))
    assert listing["resources"] == []
    assert not [p for p in apps.files() if p.startswith("overlays/ephemeral/pr-")]
