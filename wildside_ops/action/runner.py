"""The GitHub Actions runner's side of each step: its files and workflow commands.

Secrets are masked and written through ``wildside_ops.vault.masking``, whose heredoc
form keeps multi-line values intact; this module adds the checks that a step
really runs under the runner, annotations and the job summary.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Literal

from wildside_ops.vault import masking

ACTION_NAME = "wildside-infra-k8s"


class ActionError(Exception):
    """A step cannot go on; the message says what to fix. ``code`` is the exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def require_runner(environ: Mapping[str, str] | None = None) -> None:
    """Refuse to run outside the runner.

    Masking only works there: elsewhere an ``::add-mask::`` line would print
    the very secret it is meant to hide on the user's terminal.
    """
    env = os.environ if environ is None else environ
    missing = [name for name in ("GITHUB_ENV", "GITHUB_OUTPUT") if not env.get(name)]
    if env.get("GITHUB_ACTIONS") != "true" or missing:
        raise ActionError(
            "`wildside action` steps run only inside a GitHub Actions job (GITHUB_ACTIONS=true "
            "with GITHUB_ENV and GITHUB_OUTPUT set); on a workstation use `wildside synth`, "
            "`wildside plan` and `wildside deploy`",
            code=2,
        )


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotate(level: Literal["error", "warning", "notice"], message: str, title: str = "") -> None:
    """Show ``message`` on the run's summary page as well as in the log."""
    props = f" title={_escape_property(title or ACTION_NAME)}"
    print(f"::{level}{props}::{_escape_data(message)}", flush=True)


def export(name: str, value: str, *, secret: bool) -> None:
    """Hand ``name=value`` to the job's later steps (masked first when secret)."""
    masking.export_env(name, value, secret=secret)


def set_output(name: str, value: str) -> None:
    # Outputs are never secrets here: the runner withholds masked outputs from
    # other jobs, which would make cluster_id useless to a dependent job.
    masking.export_output(name, value, secret=False)


def append_summary(markdown: str, environ: Mapping[str, str] | None = None) -> bool:
    """Append to the job summary; False when the runner offers none."""
    env = os.environ if environ is None else environ
    path = env.get("GITHUB_STEP_SUMMARY")
    if not path:
        return False
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(markdown.rstrip("\n") + "\n")
    return True


def fail(error: ActionError) -> int:
    annotate("error", str(error))
    sys.stdout.flush()
    return error.code


# Step name -> the module whose ``run()`` performs it, imported only when it runs.
STEPS = {
    "prepare": "wildside_ops.action.prepare",
    "deploy": "wildside_ops.action.deploy",
    "publish": "wildside_ops.action.publish",
    "outputs": "wildside_ops.action.report",
}


def run_step(name: str) -> int:
    """Run one step of the composite action; an :class:`ActionError` is its exit code."""
    import importlib

    from app.runtime import prepare_node

    # jsii (loaded by deploy and publish) must find the project's Node first.
    prepare_node()
    try:
        code: int = importlib.import_module(STEPS[name]).run()
    except ActionError as error:
        return fail(error)
    return code
