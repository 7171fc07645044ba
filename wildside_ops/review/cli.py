"""``wildside review-summary``: the pull request's job summary from two synth outputs."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def add_parser(commands: Any) -> None:
    """Register ``review-summary`` on the ``wildside`` dispatcher's subparsers."""
    parser = commands.add_parser(
        "review-summary",
        help="Markdown summary of what a merge would change (resources, manifests, GitOps diff)",
        description="Compare the base branch's synth output with the pull request's and "
        "write Markdown: removed or unprotected protected resources first, then resources "
        "added/changed/removed per stack, manifests by object, and the GitOps diff.",
    )
    parser.add_argument("--base-out", type=Path, required=True, help="base branch's cdktf.out")
    parser.add_argument("--head-out", type=Path, required=True, help="pull request's cdktf.out")
    parser.add_argument(
        "--gitops-diff", type=Path, help="the publisher's dry-run output (wildside synth --diff)"
    )
    parser.add_argument("--title", default="What this change would publish", help="heading")
    parser.add_argument(
        "--output",
        type=Path,
        help="append to this file (default $GITHUB_STEP_SUMMARY, else standard output)",
    )


def run(args: argparse.Namespace) -> int:
    from wildside_ops.review.summary import compare, markdown

    for label, folder in (("--base-out", args.base_out), ("--head-out", args.head_out)):
        if not (folder / "stacks").is_dir():
            print(
                f"[wildside] review-summary: {label} {folder} holds no synth output "
                "(stacks/); run cdktf synth --output there first",
                file=sys.stderr,
            )
            return EXIT_BAD_INPUT
    diff = args.gitops_diff.read_text(encoding="utf-8") if args.gitops_diff else ""
    text = markdown(compare(args.base_out, args.head_out), title=args.title, gitops_diff=diff)
    target = args.output or (
        Path(os.environ["GITHUB_STEP_SUMMARY"]) if os.environ.get("GITHUB_STEP_SUMMARY") else None
    )
    if target is None:
        print(text, end="")
    else:
        with target.open("a", encoding="utf-8") as handle:
            handle.write(text)
    return EXIT_OK
