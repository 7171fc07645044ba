"""The request the synthesiser hands over and the result it gets back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PublishRequest", "PublishResult"]


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
