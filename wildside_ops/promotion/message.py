"""The promotion commit's message: what moved, from which commit, how to undo it.

The message ends in git trailers (``Promoted-From``, ``Source-Commit`` ...), so
``git log --format='%(trailers)'`` and the next promotion can read them back.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from wildside_ops.promotion.rules import Route

__all__ = ["Provenance", "commit_message", "folder_changes", "sandbox_commit_of", "trailers"]


class FileChanges(Protocol):
    """What a promotion changed: a publish's plan, or a dry run's result."""

    @property
    def added(self) -> tuple[str, ...]: ...
    @property
    def changed(self) -> tuple[str, ...]: ...
    @property
    def removed(self) -> tuple[str, ...]: ...


_TRAILER = re.compile(r"^([A-Za-z][A-Za-z0-9-]*): (.+)$")


@dataclass(frozen=True)
class Provenance:
    """Where the promoted files came from, as read on the attempt's base tree."""

    # The last commit that changed the source root.
    source_commit: str
    # The sandbox commit the source copy descends from ("unknown" if not recorded).
    sandbox_commit: str


def trailers(message: str) -> dict[str, str]:
    """The ``Key: value`` lines of a commit message's last paragraph."""
    paragraphs = [p for p in message.strip().split("\n\n") if p.strip()]
    if len(paragraphs) < 2:
        return {}
    found: dict[str, str] = {}
    for line in paragraphs[-1].splitlines():
        match = _TRAILER.match(line.strip())
        if match is None:
            return {}  # not a trailer block after all
        found.setdefault(match.group(1), match.group(2))
    return found


def _folder(relative: str) -> str:
    # platform/<folder>/... is a unit; a file directly under the root stands alone.
    head, slash, _rest = relative.partition("/")
    return f"platform/{head}" if slash else f"platform/{relative}"


def folder_changes(
    target_root: str, before: Iterable[str], after: Iterable[str], plan: FileChanges
) -> list[tuple[str, str, int]]:
    """``(added|changed|removed, platform/<folder>, files touched)``, by folder.

    ``before`` and ``after`` are the target copy's paths on the base tree and
    in the promoted files.
    """
    prefix = f"{target_root}/"

    def folders(paths: Iterable[str]) -> set[str]:
        return {_folder(p[len(prefix) :]) for p in paths if p.startswith(prefix)}

    existed, remains = folders(before), folders(after)
    touched: dict[str, int] = {}
    for path in (*plan.added, *plan.changed, *plan.removed):
        name = _folder(path[len(prefix) :])
        touched[name] = touched.get(name, 0) + 1
    changes = []
    for name in sorted(touched):
        kind = "added" if name not in existed else "removed" if name not in remains else "changed"
        changes.append((kind, name, touched[name]))
    return changes


def commit_message(
    route: Route,
    provenance: Provenance,
    plan: FileChanges,
    changes: Iterable[tuple[str, str, int]],
) -> str:
    """Subject, what moved, the rollback, then the trailers."""
    source, target = route.source_root, route.target_root
    short = provenance.source_commit[:12]
    summary = (
        f"Copies {source}/ as of {short} into {target}/, so {route.target} runs what "
        f"{route.source} runs."
    )
    if route.forced:
        summary += f" Forced (--force): this promotion {route.forced}."
    lines = [f"promote {route.arrow}: {source} at {short}", "", *textwrap.wrap(summary, 72)]
    lines += ["", "Components:"]
    for kind, name, count in changes:
        noun = "file" if count == 1 else "files"
        lines.append(f"  {kind:8} {name} ({count} {noun})")
    lines += [
        "",
        f"Files: {len(plan.added)} added, {len(plan.changed)} changed, "
        f"{len(plan.removed)} removed.",
        "",
        *textwrap.wrap(
            f"Rollback: `git revert` this commit; that restores the previous {target}/ "
            "exactly and leaves every other folder alone.",
            72,
        ),
        "",
        f"Promoted-From: {route.source}",
        f"Promoted-To: {route.target}",
        f"Source-Commit: {provenance.source_commit}",
        f"Sandbox-Commit: {provenance.sandbox_commit}",
    ]
    if route.forced:
        lines.append(f"Forced: {route.forced}")
    return "\n".join(lines) + "\n"


def sandbox_commit_of(source: str, source_commit: str, message: str) -> str:
    """The sandbox commit behind ``source``'s copy, from its promotion's trailers."""
    if source == "sandbox":
        return source_commit
    found: Mapping[str, str] = trailers(message)
    return found.get("Sandbox-Commit") or "unknown"
