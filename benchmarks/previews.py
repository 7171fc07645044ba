"""Preview benchmarks: `wildside app deploy` speed, concurrency and scaling.

Called by ``bench.py``; each function returns the figures for its rows. All run
against local bare remotes in a scratch folder.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
DIGEST = "sha256:" + "b" * 64
EXAMPLE = PROJECT / "app" / "config" / "example.toml"


def _sha(number: int) -> str:
    return f"{number:040x}"


def _deploy_args(number: int) -> list[str]:
    sha = _sha(number)
    return [
        sys.executable,
        "-m",
        "app",
        "app",
        "deploy",
        "--pr",
        str(number),
        "--sha",
        sha,
        "--image",
        f"backend=ghcr.io/example/backend:{sha}@{DIGEST}",
        "--image",
        f"frontend=ghcr.io/example/frontend:{sha}@{DIGEST}",
    ]


def _bare(path: Path) -> Path:
    subprocess.run(
        ["git", "init", "--quiet", "--bare", "--initial-branch=main", str(path)], check=True
    )
    return path


def _config(work: Path, max_previews: int) -> Path:
    path = work / "previews.toml"
    path.write_text(
        EXAMPLE.read_text().replace("max_previews = 20", f"max_previews = {max_previews}")
    )
    return path


def _env(base: dict[str, str], work: Path, remote: Path, workdir: Path) -> dict[str, str]:
    return {
        **base,
        "WILDSIDE_CONFIG": str(_config(work, 10_000)),
        "WILDSIDE_APPS_REMOTE": str(remote),
        "WILDSIDE_APPS_DIR": str(workdir),
    }


def _run(cmd: Sequence[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=PROJECT, check=True, capture_output=True)
    return time.perf_counter() - started


def deploy_wall(base: dict[str, str], work: Path, runs: int) -> float:
    """Median wall time of one `wildside app deploy` process that commits and pushes."""
    remote = _bare(work / "wall.git")
    env = _env(base, work, remote, work / "wall-work")
    _run(_deploy_args(1), env)  # creates the workdir: not what is measured
    return statistics.median(_run(_deploy_args(n), env) for n in range(2, runs + 2))


def _previews_left(remote: Path) -> list[str]:
    listed = subprocess.run(
        ["git", "-C", str(remote), "ls-tree", "--name-only", "main", "overlays/ephemeral/"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [name for name in listed if name.startswith("overlays/ephemeral/pr-")]


def concurrent(base: dict[str, str], work: Path, count: int) -> tuple[int, int, float]:
    """``count`` deploys at once (own workdirs, one remote), then as many teardowns.

    Returns previews that landed, previews left after the teardowns, wall time.
    """
    remote = _bare(work / "concurrent.git")

    def one(number: int, verb: str) -> bool:
        env = _env(base, work, remote, work / f"concurrent-{number}")
        args = (
            _deploy_args(number)
            if verb == "deploy"
            else [sys.executable, "-m", "app", "app", "teardown", "--pr", str(number)]
        )
        done = subprocess.run(args, env=env, cwd=PROJECT, capture_output=True, check=False)
        return done.returncode == 0

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=count) as pool:
        list(pool.map(lambda n: one(n, "deploy"), range(1, count + 1)))
    landed = len(_previews_left(remote))
    with ThreadPoolExecutor(max_workers=count) as pool:
        list(pool.map(lambda n: one(n, "teardown"), range(1, count + 1)))
    return landed, len(_previews_left(remote)), time.perf_counter() - started


def _seed(base: dict[str, str], work: Path, remote: Path, count: int) -> None:
    """Commit ``count`` previews by rendering them in-process (far faster than deploys)."""
    sys.path.insert(0, str(PROJECT))
    from app.config.load import load_config
    from wildside_ops.apps.context import AppContext
    from wildside_ops.apps.tree import (
        EPHEMERAL,
        long_lived_files,
        preview_files,
        preview_listing,
    )

    config = load_config({"WILDSIDE_CONFIG": str(_config(work, 10_000))})
    ctx = AppContext.from_config(config)
    files = dict(long_lived_files(ctx))
    images = {
        "backend": f"ghcr.io/example/backend@{DIGEST}",
        "frontend": f"ghcr.io/example/frontend@{DIGEST}",
    }
    for number in range(1000, 1000 + count):
        files.update(preview_files(ctx, number, _sha(number), images, "2026-11-30T00:00:00Z"))
    files[f"{EPHEMERAL}/kustomization.yaml"] = preview_listing(list(range(1000, 1000 + count)))
    tree = work / "seed"
    for path, text in files.items():
        target = tree / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    env = {**base, **{k: v for k, v in os.environ.items() if k.startswith("GIT_")}}
    for args in (
        ["init", "--quiet", "--initial-branch=main"],
        ["add", "--all"],
        ["commit", "--quiet", "-m", f"{count} previews"],
        ["push", "--quiet", str(remote), "main"],
    ):
        subprocess.run(["git", "-C", str(tree), *args], check=True, env=env, capture_output=True)


def scaling(base: dict[str, str], work: Path, runs: int, count: int) -> tuple[float, float]:
    """Median deploy time into an empty repository and into one holding ``count``."""
    empty = _bare(work / "scale-empty.git")
    full = _bare(work / "scale-full.git")
    _seed(base, work, full, count)
    figures = []
    for name, remote in (("empty", empty), ("full", full)):
        env = _env(base, work, remote, work / f"scale-{name}-work")
        _run(_deploy_args(1), env)
        figures.append(statistics.median(_run(_deploy_args(n), env) for n in range(2, runs + 2)))
    return figures[0], figures[1]
