"""``wildside outdated``: print the pins with newer releases; optionally file them.

The weekly workflow runs it with ``--open-issue``: one issue, titled
``ISSUE_TITLE``, is opened or its body replaced, so upgrades stay reviewed changes.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1
ISSUE_TITLE = "Pinned versions with newer releases"
DEFAULT_API = "https://api.github.com"


def add_parser(commands: Any) -> None:
    """Register ``outdated`` on the ``wildside`` dispatcher's subparsers."""
    parser = commands.add_parser(
        "outdated",
        help="list pinned charts, Flux, providers and actions that have newer releases",
        description="Read the pins from the synthesised JSON and .github/, ask chart "
        "indexes, OCI registries and the GitHub API for newer releases and print a table.",
    )
    parser.add_argument(
        "--outdir", type=Path, default=Path("cdktf.out"), help="synth output (default cdktf.out)"
    )
    parser.add_argument(
        "--root", type=Path, default=Path.cwd(), help="project folder holding .github/"
    )
    parser.add_argument(
        "--github-api",
        default=os.environ.get("GITHUB_API_URL", DEFAULT_API),
        help="GitHub API URL (default $GITHUB_API_URL or api.github.com); token: $GITHUB_TOKEN",
    )
    parser.add_argument(
        "--plain-http",
        action="store_true",
        help="use HTTP, not HTTPS, for OCI registries (as helm's --plain-http: a local registry)",
    )
    parser.add_argument(
        "--open-issue",
        metavar="OWNER/REPO",
        help=f"open, or update, the one issue titled {ISSUE_TITLE!r} in this repository",
    )


def _client(api: str) -> Any:
    from github import Auth, Github

    token = os.environ.get("GITHUB_TOKEN", "").strip()
    return Github(
        base_url=api,
        auth=Auth.Token(token) if token else None,
        timeout=20,
        retry=None,
        seconds_between_requests=None,
        seconds_between_writes=None,
    )


def file_issue(client: Any, repository: str, body: str, *, create: bool) -> str | None:
    """Update the open issue with our title, or open one when ``create``; its URL."""
    repo = client.get_repo(repository, lazy=True)
    for issue in repo.get_issues(state="open"):
        if issue.title == ISSUE_TITLE and issue.pull_request is None:
            issue.edit(body=body)
            return str(issue.html_url)
    if not create:
        return None
    created = repo.create_issue(title=ISSUE_TITLE, body=body)
    return str(created.html_url)


def run(args: argparse.Namespace) -> int:
    from github import GithubException
    from requests import RequestException

    from wildside_ops.outdated.check import OutdatedError, check_pins, table
    from wildside_ops.outdated.pins import read_pins

    pins = read_pins(args.outdir, args.root)
    if not any(pin.kind == "chart" for pin in pins):
        print(
            f"[wildside] outdated: no synthesised charts in {args.outdir}; "
            "run `wildside synth --no-publish` first",
            file=sys.stderr,
        )
        return EXIT_FAILED
    client = _client(args.github_api)

    def latest(repository: str) -> str:
        try:
            return str(client.get_repo(repository, lazy=True).get_latest_release().tag_name)
        except (GithubException, RequestException) as exc:
            raise OutdatedError(
                f"GitHub API {args.github_api}: no latest release of {repository} ({exc})"
            ) from exc

    try:
        findings = check_pins(pins, latest, oci_scheme="http" if args.plain_http else "https")
        report = table(findings)
        print(report, end="")
        if args.open_issue:
            # Nothing outdated: refresh an open issue, but never open a new one.
            url = file_issue(client, args.open_issue, report, create=bool(findings))
            print(f"[wildside] outdated: issue {url or 'not needed'}", file=sys.stderr)
    except (OutdatedError, GithubException, RequestException) as exc:
        print(f"[wildside] outdated: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"[wildside] outdated: {len(pins)} pins checked, {len(findings)} newer", file=sys.stderr)
    return EXIT_OK
