"""``wildside vault outputs``: the bootstrap-vault-appliance action's outputs step.

It reads vault-stack's outputs after the apply and sets the ``endpoint`` and
``ca_certificate`` step outputs (public values). Secret inputs are masked by
the action's first step (``mask.py``), before the project is even installed.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from pathlib import Path

from app.log import say
from wildside_ops.vault import masking

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def publish_outputs(outdir: Path | None, environ: Mapping[str, str]) -> int:
    from app.synth import VAULT_STACK, default_outdir
    from wildside_ops.action.cluster_outputs import read_outputs
    from wildside_ops.engine import EngineError, stack_folder

    folder = stack_folder(outdir or default_outdir(), VAULT_STACK)
    try:
        outputs = read_outputs(folder, environ)
    except EngineError as error:
        say(f"error: {error}")
        return EXIT_FAILED
    for name in ("endpoint", "ca_certificate"):
        value = outputs.get(name)
        if not isinstance(value, str) or not value:
            say(f"vault-stack has no {name} output yet: apply it first")
            return EXIT_FAILED
        masking.export_output(name, value, environ.get("GITHUB_OUTPUT"), secret=False)
    say(f"endpoint {outputs['endpoint']}")
    return EXIT_OK


def add_verbs(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    outputs = verbs.add_parser("outputs", help="set endpoint and ca_certificate step outputs")
    outputs.add_argument("--outdir", type=Path, help="synth output folder (default cdktf.out)")


def run_verb(args: argparse.Namespace) -> int:
    return publish_outputs(args.outdir, os.environ)
