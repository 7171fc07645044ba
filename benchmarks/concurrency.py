"""Many publishers for different clusters, started at once against one bare remote.

Each publisher is its own process with its own workdir, as separate CI jobs
(one per preview) would be; they share only the remote. Figures: how many
landed out of how many, and the wall time against a single publisher.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

_CHILD = """
import json, sys, time
from pathlib import Path
from wildside_ops.gitops import PublishRequest, publish
spec = json.loads(Path(sys.argv[1]).read_text())
start = Path(spec.pop("start"))
spec["workdir"] = Path(spec["workdir"])
while not start.exists():
    time.sleep(0.01)
publish(PublishRequest(**spec), log=lambda _line: None)
"""


@dataclass(frozen=True)
class Contention:
    publishers: int
    landed: int
    seconds: float


def _cluster_files(rendered: Mapping[str, str], name: str) -> dict[str, str]:
    return {
        path.replace("clusters/dev/", f"clusters/{name}/"): text.replace(
            "/clusters/dev/", f"/clusters/{name}/"
        )
        for path, text in rendered.items()
    }


def _landed(remote: Path, names: list[str]) -> int:
    listed = subprocess.run(
        ["git", "-C", str(remote), "ls-tree", "-r", "--name-only", "main", ".wildside/ownership"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    return sum(f".wildside/ownership/{name}.json" in listed for name in names)


def race(work: Path, rendered: Mapping[str, str], count: int, env: Mapping[str, str]) -> Contention:
    """Start ``count`` publishers at once; wait for all; count what landed."""
    root = work / f"race-{count}"
    root.mkdir()
    remote = root / "remote.git"
    subprocess.run(
        ["git", "init", "--quiet", "--bare", "--initial-branch=main", str(remote)], check=True
    )
    start = root / "start"
    names = [f"preview-{index}" for index in range(count)]
    children = []
    for name in names:
        spec = root / f"{name}.json"
        spec.write_text(
            json.dumps(
                {
                    "cluster": name,
                    "files": _cluster_files(rendered, name),
                    "components": [],
                    "workdir": str(root / name),
                    "remote": str(remote),
                    "start": str(start),
                }
            )
        )
        children.append(
            subprocess.Popen(
                [sys.executable, "-c", _CHILD, str(spec)],
                env=dict(env),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    time.sleep(1.0 + 0.05 * count)  # let every child finish importing
    started = time.perf_counter()
    start.write_text("")
    for child in children:
        child.wait()
    elapsed = time.perf_counter() - started
    return Contention(count, _landed(remote, names), elapsed)
