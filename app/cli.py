"""``wildside``: the one command-line entry; it parses every command and dispatches.

``python -m app`` (what cdktf.json runs for ``cdktf synth``) is ``wildside synth``,
and ``python -m app.modules`` is ``wildside modules``. Each command's work is
imported only when it runs, so ``wildside render`` never loads the provider
bindings and no command but ``action`` loads hvac or the Kubernetes client.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from app.cli_text import ACTION_EPILOG, ENGINE_EPILOG, EPILOG, STEPS
from app.config.errors import ConfigError
from app.config.load import CONFIG_ENV, load_config
from app.log import say
from app.synth import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK

__all__ = ["EXIT_BAD_INPUT", "EXIT_FAILED", "EXIT_OK", "build_parser", "main"]


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE", help=f"configuration file (sets {CONFIG_ENV})")


def _publishing(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--outdir", type=Path, help="synth output folder (default cdktf.out)")
    parser.add_argument(
        "--no-publish", action="store_true", help="synthesise only; do not touch the GitOps tree"
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="preview: list files that would be added, changed and removed; no commit, no push",
    )
    parser.add_argument("--diff", action="store_true", help="with --dry-run, print the diff")
    parser.add_argument(
        "--result-json",
        type=Path,
        metavar="FILE",
        help="write the outcome (commit_sha, empty when nothing changed; manifest_count; "
        "added/changed/removed paths) as JSON, for CI steps",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="synthesise even when nothing that feeds the stacks changed since the last synth "
        "(by default an unchanged synth reuses the output folder without loading cdktf)",
    )
    parser.add_argument(
        "--allow-shared-change",
        action="store_true",
        help="consent to changing platform/ files that other clusters' trees also read",
    )
    parser.add_argument(
        "--allow-overwrite",
        action="store_true",
        help="consent to replacing this cluster's files that another publisher pushed "
        "while this one ran (a same-cluster race)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wildside",
        description="Assemble DOKS clusters and keep their Flux GitOps repository in step.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    synth = commands.add_parser(
        "synth",
        help="synthesise cluster-stack and platform-stack, then publish (the main job)",
        description="Synthesise both stacks into cdktf.out, then publish the platform "
        "manifests into the GitOps repository and commit (and push, with a remote).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    render = commands.add_parser(
        "render",
        help="platform-stack only (no provider bindings loaded), then publish",
        description="The fast path for manifest-only changes: synthesise platform-stack "
        "and publish, without loading the DigitalOcean or Kubernetes bindings.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    for sub in (synth, render):
        _common(sub)
        _publishing(sub)
    check = commands.add_parser(
        "config",
        help="validate the configuration and print it as JSON",
        description="Load and validate the configuration; print the resolved values.",
    )
    _common(check)
    _cluster_commands(commands)
    _action_command(commands)
    from wildside_ops.secrets.cli import add_parser as add_secrets_parser

    add_secrets_parser(commands)
    _gitops_command(commands)
    from wildside_ops.promotion.cli import add_parser as add_promote_parser

    add_promote_parser(commands)
    from wildside_ops.vault.bootstrap import add_parser as add_vault_parser

    add_vault_parser(commands)
    from wildside_ops.outdated.cli import add_parser as add_outdated_parser

    add_outdated_parser(commands)
    from wildside_ops.review.cli import add_parser as add_review_parser

    add_review_parser(commands)
    from wildside_ops.apps.cli import add_parser as add_app_parser

    add_app_parser(commands)
    return parser


def _gitops_command(commands: Any) -> None:
    gitops = commands.add_parser(
        "gitops",
        help="the GitOps repository itself (bootstrap, remove-cluster)",
        description="GitOps repository.",
    )
    verbs = gitops.add_subparsers(dest="gitops_command", metavar="VERB", required=True)
    from wildside_ops.gitops.cli import add_remove_parser
    from wildside_ops.repo_bootstrap.cli import add_bootstrap_parser

    add_bootstrap_parser(verbs)
    add_remove_parser(verbs)


def _cluster_commands(commands: Any) -> None:
    plan = commands.add_parser(
        "plan",
        help="drift check: plan cluster-stack (exit 0 no changes, 1 error, 2 changes pending)",
        description="Synthesise cluster-stack and plan it against its state. Nothing is "
        "applied and no plan file is kept.",
        epilog=ENGINE_EPILOG + "\nexit codes: 0 no changes, 1 error (bad input included), "
        "2 changes pending.\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    deploy = commands.add_parser(
        "deploy",
        help="plan cluster-stack and apply that plan only if it has changes",
        description="Synthesise cluster-stack, plan it, and apply the saved plan when it "
        "holds changes; with no changes nothing is applied. The plan file is deleted "
        "afterwards either way.",
        epilog=ENGINE_EPILOG + "\nexit codes: 0 applied or nothing to do, 1 error.\n",
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
            "--stack",
            choices=("cluster-stack", "vault-stack"),
            default="cluster-stack",
            help="the stack to plan or apply (vault-stack needs [vault_appliance])",
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
        description="Write infra-modules/doks, fluxcd and vault_appliance (main.tf.json and "
        "README.md) from the same constructs cluster-stack uses.",
    )
    modules.add_argument("directory", nargs="?", type=Path, help="default: infra-modules/")
    modules.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 when the folder is stale"
    )


def _action_command(commands: Any) -> None:
    action = commands.add_parser(
        "action",
        help="the steps of the wildside-infra-k8s GitHub Action (CI only)",
        description="The steps of the wildside-infra-k8s composite action, in order: "
        "prepare, deploy, publish, outputs.",
        epilog=ACTION_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    steps = action.add_subparsers(dest="action_step", metavar="STEP", required=True)
    for name, (summary, description) in STEPS.items():
        steps.add_parser(
            name,
            help=summary,
            description=textwrap.fill(description, 79),
            epilog=ACTION_EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )


# Each command's runner imports its work only when it runs.


def _config(_args: argparse.Namespace) -> int:
    config = load_config()
    print(json.dumps(asdict(config), indent=2, sort_keys=True, default=str))
    return EXIT_OK


def _plan_deploy(args: argparse.Namespace) -> int:
    from wildside_ops import plan_deploy

    return plan_deploy.run(
        outdir=args.outdir,
        skip_synth=args.skip_synth,
        lock_timeout=args.lock_timeout,
        apply=args.command == "deploy",
        stack=args.stack,
        require_versioning=getattr(args, "require_versioning", False),
    )


def _modules(args: argparse.Namespace) -> int:
    from app import modules

    return modules.run(args.directory or modules.MODULES_DIR, check=args.check)


def _action(args: argparse.Namespace) -> int:
    from wildside_ops.action.runner import run_step

    return run_step(args.action_step)


def _secrets(args: argparse.Namespace) -> int:
    from wildside_ops.secrets.cli import run

    return run(args)


def _synth(args: argparse.Namespace) -> int:
    from app.synth import ALL_STACKS, PLATFORM_STACK, SynthArgs, run_synth

    synth = SynthArgs(
        outdir=args.outdir,
        no_publish=args.no_publish,
        dry_run=args.dry_run,
        diff=args.diff,
        result_json=args.result_json,
        allow_shared_change=args.allow_shared_change,
        allow_overwrite=args.allow_overwrite,
        no_cache=args.no_cache,
    )
    return run_synth(synth, (PLATFORM_STACK,) if args.command == "render" else ALL_STACKS)


def _gitops(args: argparse.Namespace) -> int:
    if args.gitops_command == "remove-cluster":
        from wildside_ops.gitops.cli import run_remove

        return run_remove(args)
    from wildside_ops.repo_bootstrap.cli import run_bootstrap

    return run_bootstrap(args)


def _promote(args: argparse.Namespace) -> int:
    from wildside_ops.promotion.cli import run

    return run(args)


def _vault(args: argparse.Namespace) -> int:
    from wildside_ops.vault.bootstrap import run

    return run(args)


def _outdated(args: argparse.Namespace) -> int:
    from wildside_ops.outdated.cli import run

    return run(args)


def _review(args: argparse.Namespace) -> int:
    from wildside_ops.review.cli import run

    return run(args)


def _app(args: argparse.Namespace) -> int:
    from wildside_ops.apps.cli import run

    return run(args)


RUNNERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "synth": _synth,
    "render": _synth,
    "config": _config,
    "plan": _plan_deploy,
    "deploy": _plan_deploy,
    "modules": _modules,
    "action": _action,
    "secrets": _secrets,
    "gitops": _gitops,
    "promote": _promote,
    "vault": _vault,
    "outdated": _outdated,
    "review-summary": _review,
    "app": _app,
}


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    # `python -m app` with no command (as cdktf runs it) means `synth`.
    if not words or (words[0].startswith("-") and words[0] not in ("-h", "--help")):
        words = ["synth", *words]
    args = build_parser().parse_args(words)
    if getattr(args, "config", None):
        os.environ[CONFIG_ENV] = args.config
    try:
        return RUNNERS[args.command](args)
    except ConfigError as exc:
        say(str(exc))
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
