"""kill -9 at every git step of a publish: the next run recovers by itself.

A wrapper named ``git`` first on PATH counts invocations; at the chosen one it
runs the real git, leaves git's own lock files behind (as a git killed while
writing would) and kills the publisher with SIGKILL.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wildside_ops.gitops import PublishRequest, publish

if TYPE_CHECKING:
    from tests.gitops.conftest import Git

WRAPPER = """#!/bin/sh
n=$(cat "$WRAP_COUNTER" 2>/dev/null || echo 0)
n=$((n + 1))
echo "$n" > "$WRAP_COUNTER"
"$WRAP_REAL_GIT" "$@"
status=$?
if [ "$n" = "$WRAP_KILL_AT" ]; then
    # The lock a git killed mid-write would leave: the index's, or the ref's.
    case "$*" in
        *read-tree*|*update-index*)
            [ -z "$GIT_INDEX_FILE" ] && : > "$WRAP_GIT_DIR/index.lock" ;;
        *update-ref*|*fetch*)
            mkdir -p "$WRAP_GIT_DIR/refs/heads" && : > "$WRAP_GIT_DIR/refs/heads/main.lock" ;;
    esac
    kill -9 "$PPID"
fi
exit $status
"""

PUBLISH = """
import json, sys
from pathlib import Path
from wildside_ops.gitops import PublishRequest, publish
values = json.loads(Path(sys.argv[1]).read_text())
values["workdir"] = Path(values["workdir"])
publish(PublishRequest(**values), log=lambda _line: None)
"""


def _quiet(_line: str) -> None:
    pass


def _crash_run(tmp: Path, request: PublishRequest, kill_at: int) -> tuple[int, int]:
    """Publish in a child process killed at git call ``kill_at``: (return code, calls)."""
    bin_dir = tmp / "bin"
    bin_dir.mkdir(exist_ok=True)
    wrapper = bin_dir / "git"
    wrapper.write_text(WRAPPER)
    wrapper.chmod(0o755)
    counter = tmp / "count"
    counter.unlink(missing_ok=True)
    spec = tmp / "request.json"
    values: dict[str, Any] = {
        "cluster": request.cluster,
        "files": dict(request.files),
        "components": list(request.components),
        "workdir": str(request.workdir),
        "remote": request.remote,
    }
    spec.write_text(json.dumps(values))
    real = shutil.which("git")
    assert real is not None
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "WRAP_COUNTER": str(counter),
        "WRAP_REAL_GIT": real,
        "WRAP_KILL_AT": str(kill_at),
        "WRAP_GIT_DIR": str(request.workdir / ".git"),
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    found = subprocess.run(
        [sys.executable, "-c", PUBLISH, str(spec)], env=env, capture_output=True, check=False
    )
    return found.returncode, int(counter.read_text())


def _changed(request: PublishRequest, marker: str) -> dict[str, str]:
    files = dict(request.files)
    files["platform/traefik/helmrelease.yaml"] = f"# {marker}\n"
    files[f"clusters/{request.cluster}/{marker}.yaml"] = f"marker: {marker}\n"
    return files


def test_kill_at_every_git_step_recovers_without_help(
    tmp_path: Path, git: Git, make_request: Callable[..., PublishRequest]
) -> None:
    case = tmp_path / "case"
    remote = git.bare(case / "remote.git")
    git.seed(remote, {"README.md": "# original\n"})
    base = make_request(workdir=case / "work", remote=str(remote))
    publish(base, log=_quiet)
    # The user's own uncommitted edit must survive both the crash and the recovery.
    (base.workdir / "README.md").write_text("# my edit\n")
    template = tmp_path / "template"
    shutil.copytree(case, template, symlinks=True)
    step = 0
    total = None
    while total is None or step < total:
        step += 1
        shutil.rmtree(case)
        shutil.copytree(template, case, symlinks=True)
        crashed = make_request(
            workdir=base.workdir, remote=str(remote), files=_changed(base, "crashed")
        )
        code, calls = _crash_run(case, crashed, kill_at=step)
        if code == 0:
            total = step  # the kill came after the last git call: the run finished
            break
        assert code == -signal.SIGKILL, f"step {step}: exit {code}"

        # Alternate: the next run brings the same configuration, or another one.
        marker = "crashed" if step % 2 else "next"
        following = make_request(
            workdir=base.workdir, remote=str(remote), files=_changed(base, marker)
        )
        publish(following, log=_quiet)

        where = f"after a kill at git call {step} of {calls}"
        tip = git("rev-parse", "main", cwd=remote)
        assert git("rev-parse", "main", cwd=base.workdir) == tip, where
        assert git.blob(remote, "main", "platform/traefik/helmrelease.yaml") == (
            f"# {marker}\n".encode()
        ), where
        assert git("status", "--porcelain", cwd=base.workdir) == "M README.md", where
        assert (base.workdir / "README.md").read_text() == "# my edit\n", where
        assert (base.workdir / f"clusters/dev/{marker}.yaml").exists(), where
        git_dir = base.workdir / ".git"
        left = sorted(p.name for p in git_dir.iterdir() if p.name.startswith("wildside-"))
        assert left == ["wildside-publish.lock"], where
        assert [p.name for p in git_dir.rglob("*.lock")] == ["wildside-publish.lock"], where
    assert total is not None and total > 10  # every step of a real publish was reached
