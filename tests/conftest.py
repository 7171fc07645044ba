"""Session fixtures: one real synth + publish, reused by the tests that read it.

Loading the CDKTF bindings costs seconds, so the end-to-end run happens once per
session and the tests inspect its outputs.

The suite runs with a temporary directory of its own (``TMPDIR``, inherited by
jsii's Node process and every subprocess), removed when the session ends; a
test that leaves CDKTF output folders or our own scratch folders there fails
the session, naming them.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app.runtime import PROJECT_ROOT

# Set before anything loads jsii or asks pytest for a temporary path. Under
# pytest-xdist the workers inherit the controller's folder (not a WILDSIDE_*
# name: the configuration refuses unknown ones), so the controller's check at
# the end of the session sees what every worker left.
_SHARED_TMP = "PYTEST_WILDSIDE_SUITE_TMP"
_WORKER = bool(os.environ.get("PYTEST_XDIST_WORKER")) and bool(os.environ.get(_SHARED_TMP))
SUITE_TMP = (
    Path(os.environ[_SHARED_TMP]) if _WORKER else Path(tempfile.mkdtemp(prefix="wildside-tests-"))
)
os.environ[_SHARED_TMP] = str(SUITE_TMP)
os.environ["TMPDIR"] = str(SUITE_TMP)
tempfile.tempdir = str(SUITE_TMP)
if not _WORKER:
    # Registered before jsii's own exit handlers, so it runs after them.
    atexit.register(shutil.rmtree, SUITE_TMP, ignore_errors=True)
# cdktf's Testing.app()/App() without an outdir, and our tempfile prefixes.
LITTER = ("cdktf.outdir.*", "wildside-*")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _WORKER:
        return  # the controller checks the shared folder once every worker is done
    left = sorted({path.name for pattern in LITTER for path in SUITE_TMP.glob(pattern)})
    if left:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = (
            f"tests left {len(left)} folder(s) in the temporary directory: "
            f"{', '.join(left[:10])}; give cdktf an outdir under tmp_path "
            "(tests.support.scratch_app) and clean up temporary folders"
        )
        if reporter is not None:
            reporter.write_line(message, red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session", autouse=True)
def _app_outdir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Where ``tests.support.scratch_app`` points cdktf (it writes there only on synth)."""
    from tests import support

    support.APP_OUTDIR = tmp_path_factory.mktemp("cdktf-apps")


# Under pytest-xdist, every test that reads one of these session fixtures runs on
# the same worker, so each expensive synth still happens once per run.
SHARED_SYNTHS = ("e2e", "synthesised")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        names = getattr(item, "fixturenames", ())
        for shared in SHARED_SYNTHS:
            if shared in names:
                item.add_marker(pytest.mark.xdist_group(shared))
                break


GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
}


def git(*args: str, cwd: Path | None = None) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_ENV},
    )
    return done.stdout.strip()


def clean_env(tmp: Path, extra: Mapping[str, str]) -> dict[str, str]:
    """The environment a user's shell would give the CLI, minus our overrides."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WILDSIDE_")}
    env.update(GIT_ENV)
    env["HOME"] = str(tmp)
    env.pop("CDKTF_OUTDIR", None)
    env.update(extra)
    return env


def run_app(
    args: list[str], env: Mapping[str, str] | None = None, *, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """``python -m app <args>`` from the project root; ``env`` None inherits this one."""
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        check=False,
        cwd=PROJECT_ROOT,
        env=dict(env) if env is not None else None,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@dataclass
class EndToEnd:
    root: Path
    remote: Path
    workdir: Path
    outdir: Path
    env: dict[str, str]
    first: subprocess.CompletedProcess[str]

    def stack_json(self, stack: str) -> dict[str, Any]:
        path = self.outdir / "stacks" / stack / "cdk.tf.json"
        loaded: dict[str, Any] = json.loads(path.read_text())
        return loaded

    def run(self, *extra: str) -> subprocess.CompletedProcess[str]:
        return run_app(["synth", "--outdir", str(self.outdir), *extra], self.env)


@pytest.fixture(scope="session", autouse=True)
def _synth_cache_in_tmp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Synth-cache records (app/synth_cache.py) of this run stay in its temp dir."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
        yield


@pytest.fixture(scope="session")
def e2e(tmp_path_factory: pytest.TempPathFactory) -> EndToEnd:
    """``wildside synth`` on the embedded default, publishing to a bare remote."""
    root = tmp_path_factory.mktemp("e2e")
    remote = root / "remote.git"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(remote))
    workdir = root / "gitops"
    outdir = root / "cdktf.out"
    env = clean_env(
        root,
        {"WILDSIDE_GITOPS_REMOTE": str(remote), "WILDSIDE_GITOPS_DIR": str(workdir)},
    )
    first = run_app(["synth", "--outdir", str(outdir)], env)
    assert first.returncode == 0, first.stderr + first.stdout
    return EndToEnd(root, remote, workdir, outdir, env, first)
