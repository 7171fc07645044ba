"""``wildside plan``, ``wildside deploy`` and ``wildside modules``.

Kept apart from app/cli.py, which only registers these parsers and hands
over: ``plan`` reuses exit code 2 for "changes pending", so its bad input
must be reported as an error (1), unlike the other commands.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from app.config.errors import ConfigError
from app.log import say

EXIT_NO_CHANGES = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2

_ENGINE_EPILOG = """\
engine: OpenTofu (`tofu`) by default; TERRAFORM_BINARY_NAME=terraform runs
Terraform instead (which cannot encrypt state: state.encryption needs tofu).
The stack is synthesised into --outdir, then `init` and `plan -detailed-exitcode`
run in <outdir>/stacks/cluster-stack with TF_IN_AUTOMATION=1.

credentials come from the environment only, never from files or the JSON:
DIGITALOCEAN_TOKEN (DIGITALOCEAN_ACCESS_TOKEN for doctl), AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY (Spaces state), TF_VAR_flux_git_token (private GitOps
repository), TF_VAR_state_passphrase (state encryption).
"""


def add_parsers(commands: Any) -> None:
    """Register the subcommands on ``wildside``'s subparsers object."""
    plan = commands.add_parser(
        "plan",
        help="drift check: plan cluster-stack (exit 0 no changes, 1 error, 2 changes pending)",
        description="Synthesise cluster-stack and plan it against its state. Nothing is "
        "applied and no plan file is kept.",
        epilog=_ENGINE_EPILOG + "\nexit codes: 0 no changes, 1 error (bad input included), "
        "2 changes pending.\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    deploy = commands.add_parser(
        "deploy",
        help="plan cluster-stack and apply that plan only if it has changes",
        description="Synthesise cluster-stack, plan it, and apply the saved plan when it "
        "holds changes; with no changes nothing is applied. The plan file is deleted "
        "afterwards either way.",
        epilog=_ENGINE_EPILOG + "\nexit codes: 0 applied or nothing to do, 1 error.\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    for sub in (plan, deploy):
        sub.add_argument("--config", metavar="FILE", help="configuration file (WILDSIDE_CONFIG)")
        sub.add_argument("--outdir", type=Path, help="synth output folder (default cdktf.out)")
        sub.add_argument(
            "--skip-synth",
            action="store_true",
            help="use the stack already synthesised in --outdir",
        )
        sub.add_argument(
            "--lock-timeout",
            default="2m",
            metavar="DURATION",
            help="how long to wait for another run's state lock (default 2m)",
        )
    deploy.add_argument(
        "--require-versioning",
        action="store_true",
        help="refuse to deploy when the s3 state bucket does not keep versions "
        "(the default when CI=true; otherwise a warning)",
    )
    modules = commands.add_parser(
        "modules",
        help="regenerate infra-modules/ (plain OpenTofu modules) from the constructs",
        description="Write infra-modules/doks and infra-modules/fluxcd (main.tf.json and "
        "README.md) from the same constructs cluster-stack uses.",
    )
    modules.add_argument("directory", nargs="?", type=Path, help="default: infra-modules/")
    modules.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 when the folder is stale"
    )


def run(args: argparse.Namespace) -> int:
    if args.command == "modules":
        from app import modules

        return modules.main(
            [
                *([str(args.directory)] if args.directory else []),
                *(["--check"] if args.check else []),
            ]
        )
    return _plan_or_deploy(args, apply=args.command == "deploy")


def _synthesise(outdir: Path | None) -> Path:
    from app.config.load import load_config
    from app.main import CLUSTER_STACK, SynthOptions, default_outdir, synthesise

    config = load_config()
    say(f"configuration: {config.source} (cluster {config.cluster.name})")
    options = SynthOptions(stacks=(CLUSTER_STACK,), outdir=outdir, publish=False)
    result, _platform = synthesise(config, options)
    return result.outdir or default_outdir()


def _plan_or_deploy(args: argparse.Namespace, *, apply: bool) -> int:
    from app.main import CLUSTER_STACK, default_outdir
    from wildside_constructs.validation.errors import RenderError
    from wildside_ops.engine import EngineError, PlanOutcome, describe, plan_stack, stack_folder
    from wildside_ops.state_bucket import StateBucketError, check_versioning

    try:
        outdir = args.outdir or default_outdir()
        if not args.skip_synth:
            outdir = _synthesise(args.outdir)
        stack_dir = stack_folder(outdir, CLUSTER_STACK)
        if apply and (stack_dir / "cdk.tf.json").is_file():
            finding = check_versioning(stack_dir, os.environ, require=args.require_versioning)
            if finding is not None and finding.versioned:
                say(f"state bucket {finding.bucket!r}: {finding.detail}")
            elif finding is not None:
                say(f"warning: {finding.detail}")
        outcome = plan_stack(
            stack_dir,
            os.environ,
            apply=apply,
            lock_timeout=args.lock_timeout,
        )
    except (ConfigError, RenderError, EngineError, StateBucketError) as error:
        say(f"error: {error}")
        return EXIT_ERROR
    if not apply:
        say(describe(outcome))
        return EXIT_CHANGES if outcome is PlanOutcome.CHANGES else EXIT_NO_CHANGES
    if outcome is PlanOutcome.CHANGES:
        say("applied: the plan's changes are in place")
    else:
        say("no changes: nothing applied")
    return EXIT_NO_CHANGES
