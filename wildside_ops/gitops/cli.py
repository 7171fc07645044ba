"""``wildside gitops remove-cluster NAME --yes``: take one cluster out of the repository.

Removes ``clusters/NAME/``, its ownership record, and the shared files that no
other cluster's record lists and no other cluster's Flux tree applies, in one
commit (pushed, with a remote), under the same rules as a publish.
"""

from __future__ import annotations

import argparse

from app.config.load import load_config
from app.log import say
from app.post_synth import gitops_dir
from wildside_ops.gitops.errors import PublishError
from wildside_ops.gitops.model import PublishRequest
from wildside_ops.gitops.publisher import publish

__all__ = ["add_remove_parser", "run_remove"]

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def add_remove_parser(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    remove = verbs.add_parser(
        "remove-cluster",
        help="remove a cluster's folder, record and unshared platform/ files in one commit",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    remove.add_argument("name", help="the cluster to remove (its clusters/NAME/ folder)")
    remove.add_argument(
        "--yes", action="store_true", help="consent: Flux prunes what the cluster ran"
    )
    remove.add_argument("--dry-run", action="store_true", help="list what would be removed")
    remove.add_argument("--config", metavar="FILE", help="configuration file (WILDSIDE_CONFIG)")


def run_remove(args: argparse.Namespace) -> int:
    if not args.yes and not args.dry_run:
        say(
            f"removing cluster {args.name!r} deletes clusters/{args.name}/ from the GitOps "
            "repository, and Flux then prunes everything it ran; preview it with --dry-run "
            "and re-run with --yes to consent"
        )
        return EXIT_BAD_INPUT
    config = load_config()
    request = PublishRequest(
        cluster=args.name,
        files={},
        components=(),
        workdir=gitops_dir(config),
        remote=config.gitops.remote or None,
        branch=config.gitops.branch,
        dry_run=args.dry_run,
        author_name=config.gitops.author_name,
        author_email=config.gitops.author_email,
        push_budget_seconds=config.gitops.push_budget_seconds,
        remove_cluster=True,
    )
    try:
        result = publish(request, log=say)
    except PublishError as error:
        say(f"remove-cluster failed: {error}")
        return EXIT_FAILED
    for path in result.removed:
        print(f"{'would remove' if args.dry_run else 'removed':12} {path}")
    if not result.removed:
        say(f"cluster {args.name!r} has nothing in the repository: nothing to remove")
    elif result.commit_sha:
        say(f"committed {result.commit_sha}: cluster {args.name!r} removed")
    return EXIT_OK
