"""``wildside``: synthesise the stacks and publish the GitOps tree.

``python -m app`` (what cdktf.json runs for ``cdktf synth``) is ``wildside synth``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from app.config.errors import ConfigError
from app.config.load import CONFIG_ENV, load_config
from app.log import say

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2

_EPILOG = """\
configuration: the TOML file named by WILDSIDE_CONFIG (default: the embedded
example, a cluster named "dev" with every component enabled), overridden by
WILDSIDE_* variables such as WILDSIDE_CLUSTER_NAME, WILDSIDE_DOMAIN,
WILDSIDE_GITOPS_DIR, WILDSIDE_GITOPS_REMOTE, WILDSIDE_GITOPS_BRANCH and
WILDSIDE_ENABLE_<COMPONENT>=true|false. See README.md.

exit codes: 0 success, 1 a step failed (git, engine), 2 bad input (nothing written).
"""


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
        "--allow-shared-change",
        action="store_true",
        help="consent to changing platform/ files that other clusters' trees also read",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wildside",
        description="Assemble DOKS clusters and keep their Flux GitOps repository in step.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    synth = commands.add_parser(
        "synth",
        help="synthesise cluster-stack and platform-stack, then publish (the main job)",
        description="Synthesise both stacks into cdktf.out, then publish the platform "
        "manifests into the GitOps repository and commit (and push, with a remote).",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    render = commands.add_parser(
        "render",
        help="platform-stack only (no provider bindings loaded), then publish",
        description="The fast path for manifest-only changes: synthesise platform-stack "
        "and publish, without loading the DigitalOcean or Kubernetes bindings.",
        epilog=_EPILOG,
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
    from wildside_ops.cluster_cli import add_parsers

    add_parsers(commands)
    from wildside_ops.action.cli import add_parser as add_action_parser

    add_action_parser(commands)
    from wildside_ops.apps.cli import add_parser as add_app_parser

    add_app_parser(commands)
    return parser


def _run_synth(args: argparse.Namespace, stacks: tuple[str, ...]) -> int:
    from app.main import SynthOptions, synthesise
    from wildside_constructs.validation.errors import RenderError

    config = load_config()
    say(f"configuration: {config.source} (cluster {config.cluster.name})")
    publish = not args.no_publish and os.environ.get("WILDSIDE_PUBLISH", "true") != "false"
    options = SynthOptions(stacks=stacks, outdir=args.outdir, publish=publish)
    try:
        result, _platform = synthesise(config, options)
    except RenderError as exc:
        say(str(exc))
        return EXIT_BAD_INPUT
    if not publish or not result.rendered:
        return EXIT_OK
    from app.post_synth import publish_tree
    from wildside_ops.gitops import PublishError

    try:
        published = publish_tree(
            config,
            result.rendered,
            result.enabled,
            dry_run=args.dry_run,
            show_diff=args.diff,
            allow_shared_change=args.allow_shared_change,
        )
    except PublishError as exc:
        say(f"publish failed: {exc}")
        return EXIT_FAILED
    for label, paths in (
        ("added", published.added),
        ("changed", published.changed),
        ("removed", published.removed),
    ):
        for path in paths:
            print(f"{label:8} {path}")
    if published.diff:
        print(published.diff, end="")
    if args.result_json:
        outcome = {
            "commit_sha": published.commit_sha,
            "manifest_count": len(result.rendered),
            "files": published.manifest_count,
            "added": list(published.added),
            "changed": list(published.changed),
            "removed": list(published.removed),
            "pushed": published.pushed,
            "dry_run": args.dry_run,
        }
        args.result_json.write_text(json.dumps(outcome, indent=2, sort_keys=True) + "\n")
    # Manifests are what the platform stack rendered; the files published add modules/.
    counts = f"{len(result.rendered)} manifests, {published.manifest_count} files"
    if args.dry_run:
        say("dry run: nothing committed or pushed")
    elif published.commit_sha:
        say(f"committed {published.commit_sha} ({counts})")
    else:
        say(f"no change: nothing committed ({counts})")
    return EXIT_OK


def _run_operation(command: str, args: argparse.Namespace) -> int:
    if command == "app":
        from wildside_ops.apps.cli import run as run_app

        return run_app(args)
    from wildside_ops.action.cli import run as run_action

    return run_action(args)


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    # `python -m app` with no command (as cdktf runs it) means `synth`.
    if not words or (words[0].startswith("-") and words[0] not in ("-h", "--help")):
        words = ["synth", *words]
    args = build_parser().parse_args(words)
    command = args.command
    if getattr(args, "config", None):
        os.environ[CONFIG_ENV] = args.config
    try:
        if command == "config":
            config = load_config()
            print(json.dumps(asdict(config), indent=2, sort_keys=True, default=str))
            return EXIT_OK
        if command == "render":
            return _run_synth(args, ("platform-stack",))
        if command in ("plan", "deploy", "modules"):
            from wildside_ops.cluster_cli import run

            return run(args)
        if command in ("action", "app"):
            return _run_operation(command, args)
        return _run_synth(args, ("cluster-stack", "platform-stack"))
    except ConfigError as exc:
        say(str(exc))
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
