"""Deploy, tear down, sweep and list previews by publishing the apps repository.

Every change goes through the GitOps publisher (atomic, retried on a moved
remote, serialised on a shared workdir). Each attempt renders from the tip it
builds on (``files_for_base``), so the listing of open previews and the
preview limit are always judged on the newest tree, and concurrent deploys of
different pull requests never lose one another's entries.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from wildside_constructs.settings.apps import ttl_seconds
from wildside_ops.apps.context import AppContext
from wildside_ops.apps.tree import (
    EPHEMERAL,
    Preview,
    long_lived_files,
    preview_files,
    preview_listing,
    preview_numbers,
    read_preview,
)
from wildside_ops.gitops import PublishRequest, PublishResult, publish
from wildside_ops.gitops.gitrepo import GitRepo, base_environment
from wildside_ops.gitops.model import BaseTree
from wildside_ops.gitops.workdir import normalise_remote, open_workdir

__all__ = [
    "PreviewLimitError",
    "deploy",
    "gc",
    "list_previews",
    "stale",
    "teardown",
]

Log = Callable[[str], None]
# Concurrent pull requests push to one branch: allow more rejections than the
# platform publisher, whose writers are one per cluster.
# Many previews may publish at once (one per pull request); each keeps re-planning
# on the new tip until it lands or this budget runs out.
PUSH_BUDGET_SECONDS = 600.0


class PreviewLimitError(Exception):
    """``max_previews`` previews are open and this pull request is not one of them."""


def _stamp(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_stamp(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def _kustomization(number: int) -> str:
    return f"{EPHEMERAL}/pr-{number}/kustomization.yaml"


def _read_previews(tree: BaseTree, numbers: Collection[int]) -> list[Preview]:
    paths = [_kustomization(n) for n in numbers if _kustomization(n) in tree.paths]
    texts = tree.read(paths) if paths else {}
    return [read_preview(int(p.split("/")[2][3:]), texts[p]) for p in paths]


def _owned(*numbers: int) -> tuple[str, ...]:
    return (
        "base/",
        "overlays/production/",
        "overlays/staging/",
        f"{EPHEMERAL}/kustomization.yaml",
        *(f"{EPHEMERAL}/pr-{n}/" for n in numbers),
    )


def _request(
    ctx: AppContext,
    owned: tuple[str, ...],
    subject: str,
    render: Callable[[BaseTree], Mapping[str, str]],
) -> PublishRequest:
    return PublishRequest(
        cluster=ctx.apps.name,
        files={},
        components=(),
        workdir=ctx.workdir,
        remote=ctx.remote,
        branch=ctx.apps.branch,
        author_name=ctx.author_name,
        author_email=ctx.author_email,
        push_budget_seconds=PUSH_BUDGET_SECONDS,
        owned_prefixes=owned,
        files_for_base=render,
        subject=subject,
    )


def _limit_message(ctx: AppContext, previews: list[Preview]) -> str:
    oldest = sorted(previews, key=lambda p: (p.deployed_at, p.number))[:5]
    names = ", ".join(f"pr-{p.number} (updated {p.deployed_at or 'unknown'})" for p in oldest)
    return (
        f"apps.max_previews is {ctx.apps.max_previews} and {len(previews)} previews are open; "
        f"oldest: {names}. Tear one down (wildside app teardown --pr N), let "
        "`wildside app gc` sweep closed ones, or raise apps.max_previews"
    )


@dataclass(frozen=True)
class Deployed:
    result: PublishResult
    preview: Preview


def deploy(
    ctx: AppContext,
    number: int,
    sha: str,
    images: Mapping[str, str],
    *,
    now: datetime,
    log: Log,
) -> Deployed:
    """Create or update preview ``number``; the same SHA and images change nothing."""
    recorded: list[Preview] = []

    def render(tree: BaseTree) -> dict[str, str]:
        recorded.clear()
        numbers = preview_numbers(tree.paths)
        if number not in numbers and len(numbers) >= ctx.apps.max_previews:
            raise PreviewLimitError(_limit_message(ctx, _read_previews(tree, numbers)))
        stamp = _stamp(now)
        previous = _read_previews(tree, [number])
        if previous and previous[0].sha == sha and dict(previous[0].images) == dict(images):
            # Unchanged deploy: keep its time, so the same SHA makes no commit.
            stamp = previous[0].deployed_at or stamp
        files = preview_files(ctx, number, sha, images, stamp)
        recorded.append(read_preview(number, files[_kustomization(number)]))
        return {
            **long_lived_files(ctx),
            **files,
            f"{EPHEMERAL}/kustomization.yaml": preview_listing([*numbers, number]),
        }

    subject = f"wildside app: deploy pr-{number} at {sha[:12]} ({ctx.apps.name})"
    result = publish(_request(ctx, _owned(number), subject, render), log=log)
    return Deployed(result, recorded[-1])


def _remove(
    ctx: AppContext,
    numbers: Callable[[BaseTree], set[int]],
    subject: str,
    owned: tuple[int, ...],
    log: Log,
) -> PublishResult:
    def render(tree: BaseTree) -> dict[str, str]:
        gone = numbers(tree)
        remaining = [n for n in preview_numbers(tree.paths) if n not in gone]
        return {
            **long_lived_files(ctx),
            f"{EPHEMERAL}/kustomization.yaml": preview_listing(remaining),
        }

    return publish(_request(ctx, _owned(*owned), subject, render), log=log)


def teardown(ctx: AppContext, number: int, log: Log) -> PublishResult:
    """Remove preview ``number``; when it is not there, nothing changes."""
    subject = f"wildside app: tear down pr-{number} ({ctx.apps.name})"
    return _remove(ctx, lambda _tree: {number}, subject, (number,), log)


def stale(preview: Preview, ttl: str, now: datetime) -> bool:
    """Whether ``preview`` was last deployed longer than ``ttl`` before ``now``."""
    deployed = _parse_stamp(preview.deployed_at)
    if deployed is None:
        return True
    return (now - deployed).total_seconds() > ttl_seconds(ttl)


def gc(
    ctx: AppContext, closed: set[int], expired: set[int], now: datetime, log: Log
) -> PublishResult:
    """Remove closed previews, and ``expired`` ones that are still stale on the tip.

    The staleness is checked again on the tree being published, so a preview
    redeployed since the caller looked is kept.
    """

    def gone(tree: BaseTree) -> set[int]:
        still = {
            p.number for p in _read_previews(tree, expired) if stale(p, ctx.apps.preview_ttl, now)
        }
        return closed | still

    every = tuple(sorted(closed | expired))
    subject = f"wildside app: gc {len(every)} preview(s) ({ctx.apps.name})"
    return _remove(ctx, gone, subject, every, log)


def list_previews(ctx: AppContext, log: Log) -> list[Preview]:
    """Open previews on the branch tip (fetched first when there is a remote)."""
    env = base_environment(ctx.author_name, ctx.author_email)
    remote = normalise_remote(ctx.remote) if ctx.remote else None
    if remote is None and not ctx.workdir.exists():
        return []
    with open_workdir(ctx.workdir, ctx.apps.branch, remote, env, log) as repo:
        tip = _tip(repo, ctx.apps.branch, remote)
        snapshot = repo.ls_tree(tip) if tip else {}

    def read(paths: Collection[str]) -> dict[str, str]:
        blobs = repo.read_blobs(snapshot[p].oid for p in paths)
        return {p: blobs[snapshot[p].oid].decode("utf-8") for p in paths}

    tree = BaseTree(frozenset(snapshot), read)
    return _read_previews(tree, preview_numbers(tree.paths))


def _tip(repo: GitRepo, branch: str, remote: str | None) -> str | None:
    if remote is None:
        return repo.resolve(f"refs/heads/{branch}")
    return repo.remote_tip(branch)
