"""The direct route: the cdktf CLI itself runs the app and the post-synth hook.

`cdktf synth` starts the app with a stdin pipe it never closes, unlike a shell
or pytest, so this is the only place a child process that waits on stdin shows
up (it did: `git hash-object --stdin` hung the hook).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from app.runtime import PROJECT_ROOT
from tests.conftest import clean_env, git

CDKTF = PROJECT_ROOT / "node_modules" / ".bin" / "cdktf"


@pytest.mark.skipif(not CDKTF.exists(), reason="cdktf-cli is not installed (run make deps)")
def test_cdktf_synth_writes_both_stacks_and_publishes(tmp_path: Path) -> None:
    env = clean_env(tmp_path, {"WILDSIDE_GITOPS_DIR": str(tmp_path / "gitops")})
    env["PATH"] = f"{CDKTF.parent}{os.pathsep}{env['PATH']}"
    env["CHECKPOINT_DISABLE"] = "1"
    out = tmp_path / "cdktf.out"
    # stdin=PIPE and never closed: exactly how the CLI treats the app.
    with subprocess.Popen(
        [str(CDKTF), "synth", "--output", str(out)],
        cwd=PROJECT_ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    ) as process:
        try:
            # Generous: a hang waits forever; a loaded two-core machine takes minutes.
            output, _ = process.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            # The whole group: the CLI's own child (the app) would outlive it.
            os.killpg(process.pid, signal.SIGKILL)
            pytest.fail("cdktf synth did not finish: something waits on stdin")
    assert process.returncode == 0, output
    assert "cluster-stack, platform-stack" in output
    for stack in ("cluster-stack", "platform-stack"):
        json.loads((out / "stacks" / stack / "cdk.tf.json").read_text(encoding="utf-8"))
    log = git("log", "--format=%s", cwd=tmp_path / "gitops").splitlines()
    assert len(log) == 1
    assert log[0].startswith("wildside: publish dev")
    shutil.rmtree(out, ignore_errors=True)
