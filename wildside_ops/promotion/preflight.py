"""Refuse a promotion while the source environment has unpublished changes.

Run under the workdir's lock before the publish: the local GitOps workdir must
hold nothing under the source or target copy that the remote has not seen,
since a promotion copies what is on the remote, and a reviewer reading the
promotion commit must see what the environment will run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from wildside_constructs.promotion import previous_environment
from wildside_ops.gitops.errors import InterruptedPublishError
from wildside_ops.gitops.gitrepo import GitRepo
from wildside_ops.gitops.workdir import open_workdir
from wildside_ops.promotion.rules import PromotionError, Route

__all__ = ["Preflight", "missing_source", "preflight"]

Log = Callable[[str], None]


@dataclass(frozen=True)
class Preflight:
    """What the remote branch looked like when the checks passed."""

    # The last commit that changed the source copy; None when the workdir was
    # not there to look (a local-mode dry run).
    source_commit: str | None


def missing_source(route: Route, branch: str) -> PromotionError:
    if route.source == "sandbox":
        fix = "publish a cluster first (wildside render) so platform/ exists"
    else:
        earlier = previous_environment(route.source)
        fix = (
            f"{route.source} has never been promoted to; run "
            f"`wildside promote --from {earlier} --to {route.source}` first"
        )
    return PromotionError(
        f"--from {route.source}: {route.source_root}/ is missing or empty on {branch}, so "
        f"there is nothing to promote; {fix}"
    )


def _shown(paths: list[str]) -> str:
    return ", ".join(paths[:5]) + (", ..." if len(paths) > 5 else "")


def _check_clean(repo: GitRepo, route: Route) -> None:
    roots = [f"{route.source_root}/", f"{route.target_root}/"]
    raw = repo.run(
        # --no-renames: a rename's second, unprefixed entry would be cut short.
        "status", "--porcelain", "-z", "--untracked-files=all", "--no-renames", "--", *roots,
        what="checking the workdir for unpublished changes",
    ).stdout  # fmt: skip
    dirty = sorted({entry[3:].decode("utf-8", "replace") for entry in raw.split(b"\0") if entry})
    if dirty:
        raise PromotionError(
            f"the GitOps workdir {repo.workdir} has uncommitted or untracked changes under "
            f"{' or '.join(roots)} ({_shown(dirty)}): {route.source} would not run what is "
            f"promoted. Publish them (wildside render) or discard them "
            f"(git -C {repo.workdir} stash --include-untracked), then promote"
        )


def _check_pushed(repo: GitRepo, branch: str, tip: str | None) -> None:
    local = repo.resolve(f"refs/heads/{branch}")
    if local is None or (tip is not None and repo.is_ancestor(local, tip)):
        return
    raise PromotionError(
        f"local branch {branch} in {repo.workdir} has commits origin/{branch} does not "
        f"(git -C {repo.workdir} log origin/{branch}..{branch}): unpublished changes. "
        f"Push them (git -C {repo.workdir} push origin {branch}) or drop them "
        f"(git -C {repo.workdir} reset --keep origin/{branch}), then promote"
    )


def preflight(
    route: Route,
    *,
    workdir: Path,
    branch: str,
    remote: str | None,
    env: dict[str, str],
    log: Log,
) -> Preflight:
    """Check the workdir; raise ``PromotionError`` (exit 2) with the fix, or return."""
    workdir = Path(workdir).expanduser().absolute()
    if remote is None and not (workdir / ".git").exists():
        return Preflight(None)  # nothing local to be unpublished; the publish says the rest
    try:
        with open_workdir(workdir, branch, remote, env, log, repair=False) as repo:
            _check_clean(repo, route)
            if remote is not None:
                tip = repo.remote_tip(branch)
                _check_pushed(repo, branch, tip)
            else:
                tip = repo.resolve(f"refs/heads/{branch}")
            if tip is None:
                raise missing_source(route, branch)
            listed = repo.text(
                "ls-tree", "-r", "--name-only", tip, "--", f"{route.source_root}/",
                what=f"listing {route.source_root}/",
            )  # fmt: skip
            found = listed and repo.text(
                "log", "-1", "--format=%H", tip, "--", f"{route.source_root}/",
                what=f"reading the history of {route.source_root}/",
            )  # fmt: skip
    except InterruptedPublishError as error:
        raise PromotionError(f"{error}; then promote") from error
    if not found:
        raise missing_source(route, branch)
    return Preflight(found)
