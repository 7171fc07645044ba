"""``wildside promote --from ENV --to ENV``: one reviewable commit per promotion.

Copies the source environment's platform (platform/ for sandbox,
environments/<env>/platform/ otherwise) byte for byte into the target's
environments/<to>/platform/, in one commit pushed to the GitOps branch, or, with
--branch or --pull-request, to a new branch for review. Nothing to move makes
no commit. Roll back with `git revert` of the promotion commit.
"""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING, Any

from app.log import say
from wildside_constructs.promotion import ENVIRONMENTS
from wildside_ops.promotion.rules import PromotionError, check_route

if TYPE_CHECKING:
    from wildside_ops.promotion.promote import PromotionRequest, PromotionResult
    from wildside_ops.promotion.pull_request import PullRequests

__all__ = ["add_parser", "run"]

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2

_EPILOG = f"""\
environments, in order: {", ".join(ENVIRONMENTS)}. The GitOps repository is the
one the publisher uses: gitops.dir, gitops.remote and gitops.branch in the
configuration (WILDSIDE_GITOPS_DIR, WILDSIDE_GITOPS_REMOTE, WILDSIDE_GITOPS_BRANCH).
--pull-request needs GITHUB_TOKEN (GITHUB_API_URL for GitHub Enterprise Server).

exit codes: 0 promoted or nothing to promote, 1 the remote or GitHub refused,
2 bad input or unpublished changes (nothing written). See docs/promotion.md.
"""


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "promote",
        help="copy one environment's platform into the next in one reviewable commit",
        description=__doc__,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--from", dest="source", required=True, metavar="ENV")
    parser.add_argument("--to", dest="target", required=True, metavar="ENV")
    parser.add_argument(
        "--force", action="store_true", help="allow skipping an environment or going backwards"
    )
    parser.add_argument("--dry-run", action="store_true", help="show the plan; change nothing")
    parser.add_argument("--diff", action="store_true", help="print the diff of the copy")
    parser.add_argument(
        "--branch",
        nargs="?",
        const="",
        metavar="NAME",
        help="commit on a new branch for review instead of the GitOps branch "
        "(default name promote/<from>-to-<to>-<source commit>)",
    )
    parser.add_argument(
        "--pull-request",
        action="store_true",
        help="as --branch, then open a pull request with the commit message as its body",
    )
    parser.add_argument(
        "--repository",
        metavar="OWNER/NAME",
        help="GitHub repository for --pull-request (default: gitops.repository_url)",
    )
    parser.add_argument("--config", metavar="FILE", help="configuration file (WILDSIDE_CONFIG)")


def _pull_requests(args: argparse.Namespace, repository_url: str, remote: str) -> PullRequests:
    from wildside_ops.promotion.pull_request import PullRequests
    from wildside_ops.repo_bootstrap.model import BootstrapError, parse_repository

    if not remote:
        raise PromotionError(
            "--pull-request needs a remote to push the branch to; set gitops.remote "
            "(WILDSIDE_GITOPS_REMOTE), or use --branch for a local branch"
        )
    token = os.environ.get("GITHUB_TOKEN", "").strip()
    if not token:
        raise PromotionError(
            "--pull-request needs GITHUB_TOKEN (a token that may open pull requests on the "
            "GitOps repository); export it, or use --branch and open the pull request by hand"
        )
    try:
        owner, name = parse_repository(args.repository or repository_url)
    except BootstrapError as error:
        raise PromotionError(str(error)) from error
    api = os.environ.get("GITHUB_API_URL") or "https://api.github.com"
    return PullRequests(f"{owner}/{name}", token, api)


def _report(request: PromotionRequest, outcome: PromotionResult) -> None:
    route, result = request.route, outcome.result
    if result.diff:
        print(result.diff, end="")
    if not (result.added or result.changed or result.removed):
        where = outcome.source_commit[:12]
        say(
            f"nothing to promote: {route.target_root}/ already matches "
            f"{route.source_root}/ at {where}"
        )
        return
    if request.dry_run:
        print(outcome.message, end="")
        say(f"dry run: promotion {route.arrow} previewed; nothing committed or pushed")
        return
    where = outcome.review_branch or request.branch
    fresh = f"new branch {where} ({request.branch} untouched)" if outcome.review_branch else where
    say(f"promoted {route.arrow}: commit {result.commit_sha} on {fresh}")
    say(f"roll back with: git revert {result.commit_sha}")


def run(args: argparse.Namespace) -> int:
    # The publisher and configuration load only when the command runs.
    from app.config.load import load_config
    from app.post_synth import gitops_dir
    from wildside_ops.gitops.errors import PublishError
    from wildside_ops.promotion.promote import PromotionRequest, promote

    try:
        route = check_route(args.source, args.target, force=args.force)
        config = load_config()
        review = "" if args.pull_request and args.branch is None else args.branch
        pulls = None
        if args.pull_request:
            pulls = _pull_requests(args, config.gitops.repository_url, config.gitops.remote)
        request = PromotionRequest(
            route=route,
            workdir=gitops_dir(config),
            remote=config.gitops.remote or None,
            branch=config.gitops.branch,
            dry_run=args.dry_run,
            show_diff=args.diff,
            author_name=config.gitops.author_name,
            author_email=config.gitops.author_email,
            push_budget_seconds=config.gitops.push_budget_seconds,
            review_branch=review,
        )
        if pulls is not None and not args.dry_run:
            pulls.check()
        outcome = promote(request, log=say)
        _report(request, outcome)
        url = ""
        if pulls is not None and outcome.result.pushed:
            url = _open(request, outcome, pulls)
        _outputs(outcome, url)
    except PromotionError as error:
        say(f"promote: {error}")
        return error.exit_code
    except PublishError as error:
        say(f"promote failed: {error}")
        return EXIT_FAILED
    return EXIT_OK


def _outputs(outcome: PromotionResult, url: str) -> None:
    """Step outputs inside a GitHub Actions job (promote-platform.yml passes them on)."""
    path = os.environ.get("GITHUB_OUTPUT", "")
    if not path:
        return
    from wildside_ops.vault import masking

    result = outcome.result
    for name, value in (
        ("promoted", str(result.pushed).lower()),
        ("commit_sha", result.commit_sha if result.pushed else ""),
        ("branch", outcome.review_branch if result.pushed else ""),
        ("pull_request_url", url),
        ("source_commit", outcome.source_commit),
    ):
        masking.export_output(name, value, path, secret=False)


def _open(request: PromotionRequest, outcome: PromotionResult, pulls: PullRequests) -> str:
    from wildside_ops.gitops.errors import PublishError
    from wildside_ops.promotion.promote import withdraw

    title, _, body = outcome.message.partition("\n")
    try:
        url = pulls.open(
            head=outcome.review_branch, base=request.branch, title=title, body=body.strip()
        )
    except PromotionError as error:
        # Nothing half-made: without its pull request the branch goes too.
        try:
            withdraw(request, outcome.review_branch, outcome.result.commit_sha)
        except PublishError as failed:
            raise PromotionError(
                f"{error}\nthe branch {outcome.review_branch} stays on the remote, since "
                f"deleting it failed too; delete it by hand:\n{failed}",
                exit_code=1,
            ) from failed
        say(f"deleted branch {outcome.review_branch} again, since its pull request failed")
        raise
    say(f"opened pull request {url}")
    return str(url)
