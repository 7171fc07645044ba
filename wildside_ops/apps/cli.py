"""``wildside app deploy|teardown|gc|list``: previews through the apps repository.

The fast path: configuration, YAML and git only; no CDKTF, no provider
bindings, and PyGithub only when a GitHub token is set.
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.log import say

__all__ = ["add_parser", "run"]

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
TOKEN_ENV = "GITHUB_TOKEN"  # noqa: S105 - the variable's name

_EPILOG = """\
The apps repository is [apps] in the configuration (dir, remote, branch; see
docs/previews.md). With GITHUB_TOKEN set, deploy and teardown update one sticky
comment on the pull request and a GitHub Deployment, deploy checks the pull
request first (open, not a draft, not from a fork, labelled apps.opt_in_label),
and gc asks GitHub which pull requests are closed or labelled apps.keep_label.

exit codes: 0 success (or nothing to do), 1 a step failed (git, GitHub, the
preview limit; a deploy that landed but could not be reported is 1), 2 bad
input (nothing written).
"""


def add_parser(commands: Any) -> None:
    app = commands.add_parser(
        "app",
        help="pull-request previews: deploy, teardown, gc, list",
        description="Manage the application's previews in the apps GitOps repository.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbs = app.add_subparsers(dest="app_command", metavar="VERB", required=True)
    deploy = verbs.add_parser("deploy", help="create or update the preview of a pull request")
    teardown = verbs.add_parser("teardown", help="remove a preview (a missing one is a no-op)")
    gc = verbs.add_parser("gc", help="remove previews of closed pull requests and stale ones")
    listing = verbs.add_parser("list", help="open previews: PR, SHA, age, URL")
    for parser in (deploy, teardown, gc, listing):
        parser.add_argument("--config", metavar="FILE", help="configuration file")
    for parser in (deploy, teardown):
        parser.add_argument("--pr", required=True, metavar="N", help="pull-request number")
        parser.add_argument("--result-json", type=Path, metavar="FILE", help="write the outcome")
    deploy.add_argument("--sha", required=True, help="the commit deployed (40 hex characters)")
    deploy.add_argument(
        "--image",
        action="append",
        default=[],
        metavar="NAME=REF",
        help="an image of apps.images pinned by digest (repeat for each)",
    )
    listing.add_argument("--json", action="store_true", help="print JSON")
    verbs.add_parser(
        "from-action",
        help="the wildside-app action's main step: run INPUT_OPERATION with INPUT_* values",
        description="Reads INPUT_OPERATION, INPUT_PR_NUMBER, INPUT_SHA, INPUT_IMAGES (one "
        "NAME=REF per line), INPUT_APP, INPUT_APPS_BRANCH and INPUT_CONFIG; sets the step "
        "outputs preview_url and commit_sha.",
    )
    verbs.add_parser(
        "prepare",
        help="the wildside-app action's first step: mask secrets, read missing ones from Vault",
        description="Reads INPUT_* variables inside a GitHub Actions job; see "
        ".github/actions/wildside-app/action.yml.",
    )


def _now() -> datetime:
    # WILDSIDE_NOW lets tests and `gc` drills replay a moment; never set in CI.
    fixed = os.environ.get("WILDSIDE_NOW")
    if fixed:
        return datetime.strptime(fixed, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return datetime.now(UTC)


def bad_input(problems: list[Any]) -> int:
    noun = "problem" if len(problems) == 1 else "problems"
    say(f"{len(problems)} {noun} with the command; nothing was written:")
    for problem in problems:
        say(f"  - {problem}")
    return EXIT_BAD_INPUT


def _feedback(config: Any) -> Any:
    token = os.environ.get(TOKEN_ENV, "")
    if not token:
        return None
    from wildside_ops.apps.github_feedback import GitHubFeedback

    apps = config.settings["apps"]
    return GitHubFeedback(token, apps.github_repository, apps.github_api_url, apps.name)


def write_result(path: Path | None, outcome: dict[str, Any]) -> None:
    if path is not None:
        path.write_text(json.dumps(outcome, indent=2, sort_keys=True) + "\n")


def _age(stamp: str, now: datetime) -> str:
    try:
        then = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return "?"
    seconds = int((now - then).total_seconds())
    if seconds >= 86400:
        return f"{seconds // 86400}d{seconds % 86400 // 3600}h"
    return f"{seconds // 3600}h{seconds % 3600 // 60}m"


def run(args: argparse.Namespace) -> int:
    """Dispatch a verb; ``ConfigError`` propagates to the caller (exit code 2)."""
    if args.app_command in ("prepare", "from-action"):
        from wildside_ops.apps import action_prepare

        step = (
            action_prepare.prepare if args.app_command == "prepare" else action_prepare.from_action
        )
        return step()
    from app.config.load import load_config
    from wildside_ops.apps import verbs

    config = load_config()
    if "apps" not in config.components.enabled():
        say("components.apps is off; switch it on (or WILDSIDE_ENABLE_APPS=true) for previews")
        return EXIT_BAD_INPUT
    command = args.app_command
    if command == "deploy":
        return verbs.deploy(config, args, _feedback(config), _now())
    if command == "teardown":
        return verbs.teardown(config, args, _feedback(config), _now())
    if command == "gc":
        return verbs.gc(config, _feedback(config), _now())
    return verbs.listing(config, args, _now())


def print_previews(previews: list[Any], now: datetime, as_json: bool) -> None:
    if as_json:
        rows = [
            {"pr": p.number, "sha": p.sha, "deployed_at": p.deployed_at, "url": p.url}
            for p in previews
        ]
        print(json.dumps(rows, indent=2))
        return
    print(f"{'PR':>6}  {'SHA':12}  {'AGE':>7}  URL")
    for p in previews:
        print(f"{p.number:>6}  {p.sha[:12]:12}  {_age(p.deployed_at, now):>7}  {p.url}")


__all__ += ["EXIT_BAD_INPUT", "EXIT_FAILED", "EXIT_OK", "print_previews"]
