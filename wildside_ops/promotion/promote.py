"""``promote``: one promotion, as a publish that owns the target environment's copy."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from wildside_constructs.promotion import UNPROMOTED, shared_path
from wildside_ops.gitops.gitrepo import GitRepo
from wildside_ops.gitops.model import BaseTree, PublishRequest, PublishResult
from wildside_ops.gitops.publisher import git_environment, publish
from wildside_ops.promotion.message import (
    FileChanges,
    Provenance,
    commit_message,
    folder_changes,
    sandbox_commit_of,
)
from wildside_ops.promotion.preflight import missing_source, preflight
from wildside_ops.promotion.rules import PromotionError, Route

__all__ = ["PromotionRequest", "PromotionResult", "default_branch_name", "promote", "withdraw"]

Log = Callable[[str], None]


@dataclass(frozen=True)
class PromotionRequest:
    """A checked route, and the GitOps repository settings the publisher uses."""

    route: Route
    workdir: Path
    remote: str | None = None
    branch: str = "main"
    dry_run: bool = False
    show_diff: bool = False
    author_name: str = "wildside-infra-k8s"
    author_email: str = "wildside-infra-k8s@users.noreply.github.com"
    push_budget_seconds: float = 300.0
    # Review mode: None pushes to ``branch``; "" a new branch with the default
    # name (``promote/<from>-to-<to>-<short source commit>``); else that name.
    review_branch: str | None = None


@dataclass(frozen=True)
class PromotionResult:
    result: PublishResult
    # The commit message (empty when nothing was promoted).
    message: str
    source_commit: str
    review_branch: str = ""


def default_branch_name(route: Route, source_commit: str) -> str:
    return f"promote/{route.source}-to-{route.target}-{source_commit[:12]}"


@dataclass
class _Planner:
    """Renders the target copy from each attempt's base tree and remembers why."""

    route: Route
    branch: str
    # The source's last commit as the preflight saw it: the first attempt must
    # copy exactly that, which the default review branch is already named after.
    expected_source: str | None = None
    first: Mapping[str, str] | None = None
    before: frozenset[str] = frozenset()
    after: frozenset[str] = frozenset()
    provenance: Provenance = field(default_factory=lambda: Provenance("unknown", "unknown"))
    message_text: str = ""

    def _read(self, tree: BaseTree, root: str) -> dict[str, str]:
        prefix = f"{root}/"
        # A cluster's own encrypted Secrets stay where `wildside secrets` wrote them.
        paths = sorted(
            path
            for path in tree.paths
            if path.startswith(prefix) and not shared_path(path).startswith(UNPROMOTED)
        )
        try:
            texts = tree.read(paths) if paths else {}
        except UnicodeDecodeError as error:
            raise PromotionError(
                f"a file under {root}/ is not UTF-8 text ({error.reason}); promotion copies "
                "manifests only: remove or re-encode it in the source, then promote"
            ) from error
        return {path[len(prefix) :]: text for path, text in texts.items()}

    def files_for(self, tree: BaseTree) -> dict[str, str]:
        route = self.route
        source = self._read(tree, route.source_root)
        if not source:
            raise missing_source(route, self.branch)
        current = self._read(tree, route.target_root)
        last = tree.last_change(f"{route.source_root}/")
        sha = last.sha if last is not None else "unknown"
        if self.first is None:
            if self.expected_source not in (None, sha):
                raise self._changed_meanwhile()
            self.first = source
        elif source not in (self.first, current):
            # Copying the new state would promote what nobody asked for (or looked
            # at); copying the old one would undo what a racing promotion moved.
            raise self._changed_meanwhile()
        self.before = frozenset(f"{route.target_root}/{path}" for path in current)
        self.after = frozenset(f"{route.target_root}/{path}" for path in source)
        sandbox = sandbox_commit_of(route.source, sha, last.message if last else "")
        self.provenance = Provenance(sha, sandbox)
        return {f"{route.target_root}/{path}": text for path, text in source.items()}

    def _changed_meanwhile(self) -> PromotionError:
        return PromotionError(
            f"{self.route.source_root}/ changed on {self.branch} while this promotion ran, "
            f"so nothing was pushed; re-run to promote its new state (preview it with "
            f"--dry-run --diff)",
            exit_code=1,
        )

    def message(self, plan: FileChanges) -> str:
        changes = folder_changes(self.route.target_root, self.before, self.after, plan)
        self.message_text = commit_message(self.route, self.provenance, plan, changes)
        return self.message_text


def _publish_request(request: PromotionRequest) -> PublishRequest:
    route = request.route
    return PublishRequest(
        cluster=f"promote-{route.target}",
        files={},
        components=(),
        workdir=Path(request.workdir),
        remote=request.remote,
        branch=request.branch,
        dry_run=request.dry_run,
        show_diff=request.show_diff,
        author_name=request.author_name,
        author_email=request.author_email,
        push_budget_seconds=request.push_budget_seconds,
        owned_prefixes=(f"{route.target_root}/",),
        subject=f"promote {route.arrow}",
    )


def withdraw(request: PromotionRequest, branch: str, commit: str) -> None:
    """Delete a review branch this run pushed, unless someone has moved it since."""
    env, _remote = git_environment(_publish_request(request))
    GitRepo(Path(request.workdir).expanduser().absolute(), env).run(
        "push", "--porcelain", f"--force-with-lease=refs/heads/{branch}:{commit}",
        "origin", f":refs/heads/{branch}", what=f"deleting branch {branch}",
    )  # fmt: skip


def promote(request: PromotionRequest, *, log: Log = print) -> PromotionResult:
    """Promote ``request.route``; raise ``PromotionError`` or ``PublishError`` to refuse."""
    route = request.route
    planner = _Planner(route, request.branch)
    publish_request = replace(
        _publish_request(request),
        files_for_base=planner.files_for,
        message=planner.message,
    )
    env, remote = git_environment(publish_request)
    checked = preflight(
        route,
        workdir=publish_request.workdir,
        branch=request.branch,
        remote=remote,
        env=env,
        log=log,
    )
    planner.expected_source = checked.source_commit
    review = request.review_branch
    if review == "":
        review = default_branch_name(route, checked.source_commit or "unknown")
    if review is not None:
        publish_request = replace(publish_request, review_branch=review)
    result = publish(publish_request, log=log)
    if request.dry_run and (result.added or result.changed or result.removed):
        # No commit was built, so render the message the commit would have had.
        planner.message(result)
    elif not result.commit_sha:
        planner.message_text = ""  # nothing moved (perhaps after a re-plan)
    return PromotionResult(
        result=result,
        message=planner.message_text,
        source_commit=planner.provenance.source_commit,
        review_branch=review or "",
    )
