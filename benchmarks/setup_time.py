"""Python set-up from nothing, uv from the lock file against pip, for ``make bench``."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

Env = Callable[..., dict[str, str]]
Timed = Callable[[Sequence[str], dict[str, str]], float]


def _uv(project: Path) -> str:
    found = shutil.which("uv")
    return found or str(project / ".tools" / "uv" / "bin" / "uv")


def python_setup(work: Path, env: Env, timed: Timed, project: Path) -> tuple[float, float]:
    """Seconds to a working virtualenv from nothing: uv from the lock file, then pip.

    Both use their own download caches as a developer's machine would have them;
    pip is the project's former path (venv + pip install -e '.[dev]').
    """
    uv_env = env({"UV_PROJECT_ENVIRONMENT": str(work / "uv-venv"), "UV_PYTHON_DOWNLOADS": "never"})
    uv_time = timed(
        [_uv(project), "sync", "--locked", "--extra", "dev", "--quiet", "--python", sys.executable],
        uv_env,
    )
    venv = work / "pip-venv"
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", "-e", ".[dev]"],
        cwd=project,
        env=env(),
        check=True,
        capture_output=True,
    )
    return uv_time, time.perf_counter() - started
