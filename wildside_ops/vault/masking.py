"""GitHub Actions log masking and safe hand-over of secrets to later steps.

The runner masks a registered string only where it appears whole on one log
line, so a multi-line secret (a kubeconfig, a PEM key) is registered line by
line. Values reach later steps through the files named by GITHUB_ENV and
GITHUB_OUTPUT, never through a command line, where ``ps`` and shell tracing
would show them.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import sys
import threading
from pathlib import Path
from typing import TextIO

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_OUTPUT_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")

# Digests rather than the lines themselves: the registry lives for the whole
# process and should not become one more copy of every secret.
_masked: set[str] = set()
_lock = threading.Lock()


def in_github_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def _escape(data: str) -> str:
    # The runner unescapes workflow command data (as @actions/core escapes it),
    # so a literal "%0A" in a secret would otherwise be registered as a newline.
    return data.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def mask(value: str, stream: TextIO | None = None) -> int:
    """Register every non-empty line of ``value`` with the runner's log masker.

    Each line is announced once per process however often it is passed in.
    Returns how many ``::add-mask::`` commands were printed.
    """
    out = sys.stdout if stream is None else stream
    printed = 0
    with _lock:
        for line in value.splitlines():
            if not line.strip():
                continue
            digest = hashlib.sha256(line.encode()).hexdigest()
            if digest in _masked:
                continue
            _masked.add(digest)
            out.write(f"::add-mask::{_escape(line)}\n")
            printed += 1
        out.flush()
    return printed


def reset_mask_registry() -> None:
    """Forget what was masked (tests start each case from a clean process state)."""
    with _lock:
        _masked.clear()


def _delimiter(name: str, value: str) -> str:
    while True:
        candidate = f"ghadelimiter_{secrets.token_hex(16)}"
        if candidate not in value and candidate not in name:
            return candidate


def _append(kind: str, target: str | Path | None, env_var: str, name: str, value: str) -> None:
    path = target if target is not None else os.environ.get(env_var)
    if not path:
        raise RuntimeError(
            f"cannot export {kind} {name!r}: no file given and {env_var} is not set "
            "(this only works inside a GitHub Actions job)"
        )
    delimiter = _delimiter(name, value)
    # newline="" keeps a value's own "\r\n" intact; the runner splits on "\n".
    with open(path, "a", encoding="utf-8", newline="") as handle:
        handle.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")


def export_env(
    name: str,
    value: str,
    github_env_path: str | Path | None = None,
    *,
    secret: bool = True,
    stream: TextIO | None = None,
) -> None:
    """Make ``name=value`` part of the environment of the job's later steps.

    The value is masked first (unless ``secret=False``): the runner would
    otherwise print it in every later step's environment dump.
    """
    if not _ENV_NAME.match(name):
        raise ValueError(f"{name!r} is not a valid environment variable name")
    if secret:
        mask(value, stream)
    _append("environment variable", github_env_path, "GITHUB_ENV", name, value)


def export_output(
    name: str,
    value: str,
    github_output_path: str | Path | None = None,
    *,
    secret: bool = True,
    stream: TextIO | None = None,
) -> None:
    """Set a step output through the GITHUB_OUTPUT file.

    The runner withholds masked outputs from other jobs, so a secret output is
    only usable by later steps of the same job.
    """
    if not _OUTPUT_NAME.match(name):
        raise ValueError(f"{name!r} is not a valid step output name")
    if secret:
        mask(value, stream)
    _append("output", github_output_path, "GITHUB_OUTPUT", name, value)
