"""Human-facing text derived from a plan: the commit message and the diff."""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from wildside_ops.gitops.model import PublishRequest
from wildside_ops.gitops.plan import Entry, Plan

__all__ = ["commit_message", "unified_diff"]


def commit_message(request: PublishRequest, plan: Plan) -> str:
    """Subject names the changed components; the body records provenance and counts."""
    changed = ", ".join(plan.components_changed) or "no components"
    enabled = ", ".join(dict.fromkeys(request.components)) or "none"
    verb = "remove cluster" if request.remove_cluster else "publish"
    lines = [
        request.subject or f"wildside: {verb} {request.cluster} ({changed})",
        "",
        f"Cluster: {request.cluster}",
        f"Components: {enabled}",
        f"Source-Commit: {request.source_commit or 'unknown'}",
        f"Added: {len(plan.added)}",
        f"Changed: {len(plan.changed)}",
        f"Removed: {len(plan.removed)}",
    ]
    return "\n".join(lines) + "\n"


def _lines(data: bytes | None) -> list[str]:
    if data is None:
        return []
    # Replacement keeps a diff printable even if a foreign file is not UTF-8.
    return data.decode("utf-8", errors="replace").splitlines(keepends=True)


def unified_diff(plan: Plan, snapshot: Mapping[str, Entry], old_blobs: Mapping[str, bytes]) -> str:
    """A ``git diff``-like unified diff of every path the plan touches, by path.

    ``old_blobs`` maps object id to content for the base versions of changed and
    removed paths.
    """
    chunks: list[str] = []
    for path in sorted((*plan.writes, *plan.removals)):
        entry = snapshot.get(path)
        old = old_blobs.get(entry.oid) if entry is not None else None
        new = plan.writes.get(path)
        before, after = _lines(old), _lines(new)
        for side in (before, after):
            if side and not side[-1].endswith("\n"):
                side[-1] += "\n\\ No newline at end of file\n"
        header = f"diff --git a/{path} b/{path}\n"
        body = difflib.unified_diff(
            before,
            after,
            fromfile=f"a/{path}" if old is not None else "/dev/null",
            tofile=f"b/{path}" if new is not None else "/dev/null",
        )
        text = "".join(body)
        if not text and old is not None and new is not None:
            # Same text, different mode (for example an executable bit): say so.
            text = f"--- a/{path}\n+++ b/{path}\n(mode {entry.mode if entry else '?'} -> 100644)\n"
        chunks.append(header + text)
    return "".join(chunks)
