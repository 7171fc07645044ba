"""``publish``: plan, build, push and only then move the local branch and tree."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NoReturn

from wildside_ops.gitops.credentials import auth_environment, split_credentials
from wildside_ops.gitops.errors import PublishError, redact
from wildside_ops.gitops.gitrepo import GitRepo, base_environment, check_branch_name
from wildside_ops.gitops.message import commit_message, unified_diff
from wildside_ops.gitops.model import BaseTree, Commit, PublishRequest, PublishResult
from wildside_ops.gitops.ownership import record_path
from wildside_ops.gitops.paths import validate_request
from wildside_ops.gitops.plan import BlobReader, Entry, Plan, build_plan
from wildside_ops.gitops.recovery import journal
from wildside_ops.gitops.workdir import normalise_remote, open_workdir

__all__ = ["git_environment", "publish"]

Log = Callable[[str], None]

# Indirections so tests can skip real waiting and pin the clock.
_sleep: Callable[[float], None] = time.sleep
_clock: Callable[[], float] = time.monotonic

# Back-off after a rejected push: a uniform draw between a quarter of and the
# whole of an exponentially growing ceiling. The jitter spreads out publishers
# rejected by the same push (tens of previews share one remote); the floor keeps
# a budget from being spent on a burst of near-zero waits.
_BACKOFF_BASE = 0.5
_BACKOFF_CAP = 30.0
BUDGET_KNOB = (
    "gitops.push_budget_seconds in the configuration, WILDSIDE_GITOPS_PUSH_BUDGET, "
    "or the action input gitops_push_budget"
)


def _backoff(attempt: int) -> float:
    ceiling = min(_BACKOFF_CAP, _BACKOFF_BASE * 2.0 ** (attempt - 1))
    return random.uniform(ceiling / 4, ceiling)  # noqa: S311


@dataclass(frozen=True)
class _Planned:
    base: str | None
    snapshot: dict[str, Entry]
    plan: Plan
    # The request as planned: with ``files_for_base``, its files for this base.
    request: PublishRequest


def _history(repo: GitRepo, base: str | None) -> Callable[[str], Commit | None]:
    def last_change(path: str) -> Commit | None:
        if base is None:
            return None
        what = f"reading the history of {path}"
        found = repo.text("log", "-1", "--format=%H%x00%B", base, "--", path, what=what)
        sha, _, message = found.partition("\0")
        return Commit(sha, message.strip() + "\n") if sha else None

    return last_change


def _for_base(
    request: PublishRequest,
    snapshot: dict[str, Entry],
    read_blobs: BlobReader,
    base: str | None = None,
    history: Callable[[str], Commit | None] | None = None,
) -> PublishRequest:
    if request.files_for_base is None:
        return request

    def read(paths: Sequence[str]) -> dict[str, str]:
        blobs = read_blobs(snapshot[path].oid for path in paths)
        return {path: blobs[snapshot[path].oid].decode("utf-8") for path in paths}

    tree = BaseTree(frozenset(snapshot), read, base)
    if history is not None:
        tree = replace(tree, last_change=history)
    files = request.files_for_base(tree)
    rebased = replace(request, files=dict(files))
    validate_request(rebased)
    return rebased


def _plan(repo: GitRepo, request: PublishRequest, base: str | None) -> _Planned:
    snapshot = repo.ls_tree(base)
    request = _for_base(request, snapshot, repo.read_blobs, base, _history(repo, base))
    plan = build_plan(request, snapshot, repo.read_blobs, repo.object_format())
    return _Planned(base, snapshot, plan, request)


def _log_plan(request: PublishRequest, planned: _Planned, log: Log) -> None:
    plan, base = planned.plan, planned.base
    where = base[:12] if base else "an empty branch"
    log(
        f"plan for {request.cluster} on {where}: {len(plan.added)} added, "
        f"{len(plan.changed)} changed, {len(plan.removed)} removed"
    )
    for path, owners in plan.shared_changes.items():
        log(f"changing shared {path} (also published by {', '.join(owners)}) with consent")


def _no_blobs(_oids: Iterable[str]) -> dict[str, bytes]:
    return {}


def _result(
    request: PublishRequest,
    read_blobs: BlobReader,
    planned: _Planned,
    sha: str = "",
    pushed: bool = False,
) -> PublishResult:
    plan = planned.plan
    diff = ""
    if request.show_diff and not plan.is_empty:
        touched = (*plan.changed, *plan.removed)
        old = read_blobs(planned.snapshot[path].oid for path in touched)
        diff = unified_diff(plan, planned.snapshot, old)
    return PublishResult(
        commit_sha=sha,
        added=tuple(sorted(plan.added)),
        changed=tuple(sorted(plan.changed)),
        removed=tuple(sorted(plan.removed)),
        manifest_count=len(planned.request.files),
        pushed=pushed,
        diff=diff,
    )


def _build(repo: GitRepo, request: PublishRequest, planned: _Planned) -> str:
    plan = planned.plan
    repo.write_blobs({plan.write_ids[path]: data for path, data in plan.writes.items()})
    base_tree = repo.tree_of(planned.base) if planned.base else None
    tree = repo.write_tree(planned.base, plan.write_ids, plan.removals)
    if tree == base_tree:
        # The plan said "changed" but git disagrees; never make an empty commit.
        raise PublishError(
            "the planned change produced an identical tree; this is a bug, please report it"
        )
    message = request.message(plan) if request.message else commit_message(planned.request, plan)
    return repo.commit_tree(tree, planned.base, message)


def _advance(repo: GitRepo, request: PublishRequest, old: str | None, new: str) -> None:
    """Move the working tree, index and local branch from ``old`` to ``new``."""
    ref = f"refs/heads/{request.branch}"
    # The journal lets the next run finish or undo this move after a kill -9.
    with journal(repo.git_dir(), request.branch, old, new):
        repo.checkout(old, new)
        try:
            repo.update_ref(ref, new, old, f"wildside: publish {request.cluster}")
        except PublishError:
            # Put the working tree back so it matches the branch that did not move.
            repo.checkout(new, old)
            raise
        if repo.head_branch() != request.branch:
            repo.run("symbolic-ref", "HEAD", ref, what=f"switching the workdir to {request.branch}")


def _no_change(log: Log) -> None:
    log("no change: nothing to commit")


def _publish_local(repo: GitRepo, request: PublishRequest, log: Log) -> PublishResult:
    local = repo.resolve(f"refs/heads/{request.branch}")
    planned = _plan(repo, request, local)
    _log_plan(request, planned, log)
    if planned.plan.is_empty:
        _no_change(log)
        return _result(request, repo.read_blobs, planned)
    if request.dry_run:
        log("dry run: nothing committed")
        return _result(request, repo.read_blobs, planned)
    commit = _build(repo, request, planned)
    if request.review_branch:
        _create_review_branch(repo, request, commit)
        log(f"committed {commit[:12]} on new branch {request.review_branch}")
        return _result(request, repo.read_blobs, planned, commit)
    repo.check_checkout(local, commit)
    _advance(repo, request, local, commit)
    log(f"committed {commit[:12]} on {request.branch}")
    return _result(request, repo.read_blobs, planned, commit)


def _check_not_ahead(repo: GitRepo, branch: str, local: str | None, tip: str | None) -> None:
    if local is None or (tip is not None and repo.is_ancestor(local, tip)):
        return
    raise PublishError(
        f"local branch {branch} in {repo.workdir} has commits that origin/{branch} does not; "
        f"push or reset them (git -C {repo.workdir} log origin/{branch}..{branch}), "
        "or use a fresh workdir"
    )


def _catch_up(
    repo: GitRepo, request: PublishRequest, local: str | None, tip: str | None, log: Log
) -> None:
    """With nothing to publish, still fast-forward a stale workdir to the remote."""
    if request.dry_run or tip is None or tip == local:
        return
    repo.check_checkout(local, tip)
    _advance(repo, request, local, tip)
    log(f"updated {repo.workdir} to origin/{request.branch} ({tip[:12]})")


def _cluster_files(cluster: str, snapshot: dict[str, Entry]) -> dict[str, Entry]:
    own = f"clusters/{cluster}/"
    record = record_path(cluster)
    return {p: e for p, e in snapshot.items() if p.startswith(own) or p == record}


def _check_same_cluster_race(
    request: PublishRequest, first: _Planned | None, planned: _Planned
) -> None:
    """Refuse to replace what another publisher of this cluster pushed meanwhile."""
    if first is None or first.base == planned.base or request.allow_overwrite:
        return
    before = _cluster_files(request.cluster, first.snapshot)
    after = _cluster_files(request.cluster, planned.snapshot)
    if before == after:
        return
    changed = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
    shown = ", ".join(changed[:5]) + (", ..." if len(changed) > 5 else "")
    raise PublishError(
        f"another publisher changed cluster {request.cluster!r} on {request.branch} while "
        f"this one was publishing ({shown}); nothing was pushed. Check which run is "
        "current, then re-run it, or give allow_overwrite=True (CLI: --allow-overwrite) "
        "to replace the other run's files"
    )


def _give_up(request: PublishRequest, attempts: int, started: float, rejection: str) -> NoReturn:
    raise PublishError(
        f"push to {request.branch} rejected {attempts} time(s) in "
        f"{_clock() - started:.1f} s, which used up the push budget of "
        f"{request.push_budget_seconds:g} s: {rejection}\n"
        "Nothing was committed locally. Check the remote's hooks and branch protection; "
        f"if many publishers run at once, raise the budget ({BUDGET_KNOB})."
    )


def _review_exists(request: PublishRequest, detail: str) -> PublishError:
    return PublishError(
        f"branch {request.review_branch} already exists, so the commit was not put on it "
        f"and {request.branch} is untouched; merge or delete that branch, or give another "
        f"name (CLI: --branch NAME){detail}"
    )


def _create_review_branch(repo: GitRepo, request: PublishRequest, commit: str) -> None:
    ref = f"refs/heads/{request.review_branch}"
    if repo.resolve(ref) is not None:
        raise _review_exists(request, "")
    repo.update_ref(ref, commit, None, f"wildside: {request.subject or 'review'}")


def _push_review_branch(repo: GitRepo, request: PublishRequest, commit: str) -> None:
    """Create the review branch on the remote; never move one that exists."""
    outcome = repo.push(commit, request.review_branch, None)
    if not outcome.landed:
        raise _review_exists(request, f":\n{outcome.output}")


def _publish_remote(repo: GitRepo, request: PublishRequest, log: Log) -> PublishResult:
    branch = request.branch
    local = repo.resolve(f"refs/heads/{branch}")
    started = _clock()
    first: _Planned | None = None
    attempt = 0
    while True:
        attempt += 1
        log(f"fetching {branch} from origin")
        tip = repo.remote_tip(branch)
        if tip is None:
            log(f"remote branch {branch} does not exist yet: the first commit creates it")
        _check_not_ahead(repo, branch, local, tip)
        planned = _plan(repo, request, tip)
        first = first or planned
        _log_plan(request, planned, log)
        if planned.plan.is_empty:
            _no_change(log)
            _catch_up(repo, request, local, tip, log)
            return _result(request, repo.read_blobs, planned)
        _check_same_cluster_race(request, first, planned)
        if request.dry_run:
            log("dry run: nothing committed or pushed")
            return _result(request, repo.read_blobs, planned)
        commit = _build(repo, request, planned)
        if request.review_branch:
            _push_review_branch(repo, request, commit)
            log(f"pushed {commit[:12]} to new branch {request.review_branch}; {branch} untouched")
            _catch_up(repo, request, local, tip, log)  # the workdir follows origin/<branch>
            return _result(request, repo.read_blobs, planned, commit, pushed=True)
        repo.check_checkout(local, commit)
        outcome = repo.push(commit, branch, tip)
        if outcome.landed:
            log(f"pushed {commit[:12]} to {branch} (attempt {attempt})")
            try:
                _advance(repo, request, local, commit)
            except PublishError as error:
                raise PublishError(
                    f"pushed {commit} to {branch}, but updating {repo.workdir} failed; run "
                    f"`git -C {repo.workdir} pull --ff-only` to catch up:\n{error}"
                ) from error
            return _result(request, repo.read_blobs, planned, commit, pushed=True)
        delay = _backoff(attempt)
        if _clock() + delay - started > request.push_budget_seconds:
            _give_up(request, attempt, started, outcome.output)
        log(
            f"push to {branch} rejected (attempt {attempt}); re-fetching and retrying "
            f"in {delay:.1f} s"
        )
        _sleep(delay)


def git_environment(request: PublishRequest) -> tuple[dict[str, str], str | None]:
    """The environment for git (identity, credentials) and the remote without them."""
    env = base_environment(request.author_name, request.author_email)
    remote = normalise_remote(request.remote) if request.remote is not None else None
    if remote is not None:
        remote, credential = split_credentials(remote)
        if credential is not None:
            env.update(auth_environment(remote, credential, env))
    return env, remote


def publish(request: PublishRequest, *, log: Log = print) -> PublishResult:
    """Publish ``request.files`` for one cluster; see the package docstring for the rules."""
    validate_request(request)
    env, remote = git_environment(request)
    check_branch_name(request.branch, env)
    if request.review_branch:
        check_branch_name(request.review_branch, env)
        if request.review_branch == request.branch:
            raise PublishError(
                f"review_branch {request.review_branch!r} is the branch being published "
                "to; give a new branch name for review"
            )

    def safe_log(line: str) -> None:
        log(redact(line))

    if remote is None and request.dry_run and not Path(request.workdir).exists():
        # Nothing to read and nothing to create: plan against an empty branch.
        request = _for_base(request, {}, _no_blobs)
        plan = build_plan(request, {}, _no_blobs)
        planned = _Planned(None, {}, plan, request)
        _log_plan(request, planned, safe_log)
        safe_log(f"dry run: {request.workdir} does not exist yet; nothing created")
        return _result(request, _no_blobs, planned)

    try:
        with open_workdir(request.workdir, request.branch, remote, env, safe_log) as repo:
            if remote is None:
                return _publish_local(repo, request, safe_log)
            return _publish_remote(repo, request, safe_log)
    except OSError as error:
        # A read-only or full disk, a folder removed under us: say which, no traceback.
        raise PublishError(
            f"cannot write the GitOps workdir {request.workdir} "
            f"({error.strerror or error}: {error.filename or ''}); give a writable folder "
            "(WILDSIDE_GITOPS_DIR or gitops.dir)"
        ) from error
