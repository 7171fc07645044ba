"""The request the synthesiser hands over and the result it gets back."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wildside_ops.gitops.plan import Plan

__all__ = ["BaseTree", "Commit", "PublishRequest", "PublishResult"]


@dataclass(frozen=True)
class Commit:
    """One commit of the base branch's history: its id and full message."""

    sha: str
    message: str


def _no_history(_path: str) -> Commit | None:
    return None


@dataclass(frozen=True)
class BaseTree:
    """The tree one publish attempt builds on, for requests that render from it."""

    paths: frozenset[str]
    # Reads the text of the given paths (each must be in ``paths``).
    read: Callable[[Sequence[str]], dict[str, str]]
    # The commit the tree belongs to; None for an empty branch.
    commit: str | None = None
    # The newest commit, up to ``commit``, that changed the given path or folder
    # (provenance: a promotion names the commit its source was last changed by).
    last_change: Callable[[str], Commit | None] = _no_history


@dataclass(frozen=True)
class PublishRequest:
    """Everything needed to publish one cluster's rendered GitOps files."""

    cluster: str
    files: Mapping[str, str]
    components: Sequence[str]
    workdir: Path
    remote: str | None = None
    branch: str = "main"
    dry_run: bool = False
    show_diff: bool = False
    source_commit: str | None = None
    author_name: str = "wildside-infra-k8s"
    author_email: str = "wildside-infra-k8s@users.noreply.github.com"
    allow_shared_change: bool = False
    # Consent to replace this cluster's files that another publisher changed on
    # the remote since this run first read it (a same-cluster race).
    allow_overwrite: bool = False
    # Seconds a publish keeps re-planning on the new tip after rejected pushes;
    # the config key gitops.push_budget_seconds (WILDSIDE_GITOPS_PUSH_BUDGET).
    push_budget_seconds: float = 300.0
    # Remove the cluster instead: its folder, its record, and shared files that
    # no other cluster's record lists or tree applies (``files`` must be empty).
    remove_cluster: bool = False
    # Apps-repository mode. Non-empty: this publish owns exactly these paths and
    # folders ('/'-terminated) instead of clusters/<cluster>/, platform/ and
    # modules/; a path under them that is not in ``files`` is removed, and no
    # ownership record is kept (the prefixes themselves say who owns what).
    owned_prefixes: tuple[str, ...] = ()
    # Called on the base tree of every attempt (so again on the new tip after a
    # rejected push) to give the files to publish there; replaces ``files``. It
    # is how a change to one entry of a shared listing survives concurrent
    # publishers. Exceptions it raises propagate with nothing committed.
    files_for_base: Callable[[BaseTree], Mapping[str, str]] | None = None
    # Replaces the commit subject ("wildside: publish <cluster> (...)") when set.
    subject: str = ""
    # Replaces the whole commit message when set: called with each attempt's
    # plan, after ``files_for_base`` has run on that attempt's base tree.
    message: Callable[[Plan], str] | None = None
    # Review mode. Non-empty: build on ``branch``'s tip as usual, but put the
    # commit on this new branch (which must not exist yet) instead, leaving
    # ``branch``, the local branch and the working tree where they were.
    review_branch: str = ""


@dataclass(frozen=True)
class PublishResult:
    """What was (or, in a dry run, would be) published.

    The path tuples are sorted and include the cluster's ownership record under
    ``.wildside/ownership/`` whenever that record is written or changed.
    """

    commit_sha: str
    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    manifest_count: int
    pushed: bool
    diff: str = ""
