"""Finish or undo what a killed publisher left half done, before the next one starts.

A publisher builds its commit in a throw-away index and pushes before touching
the working tree, so most of a run leaves nothing to repair. Two things can be
left behind by ``kill -9``: temporary folders and git lock files, and a working
tree moved part of the way from the branch's old commit to the new one. The
second is covered by a journal written just before the move: it names both
commits, so the next run (under the same lock) can put exactly the paths that
differ between them back in line with wherever the branch really points. The
user's own edits elsewhere are never touched, and edits to those paths were
refused before the move began (``check_checkout``).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from wildside_ops.gitops.gitrepo import GitRepo

__all__ = ["JOURNAL_NAME", "RUNNING_NAME", "interrupted", "journal", "recover", "running"]

JOURNAL_NAME = "wildside-publish.journal"
RUNNING_NAME = "wildside-publish.running"
_TEMP_PREFIXES = ("wildside-index-", "wildside-check-")
# Locks git takes while a publisher runs it; a killed git leaves them behind.
_GIT_LOCKS = ("index.lock", "HEAD.lock", "packed-refs.lock", "config.lock", "shallow.lock")


def _remove_temporaries(git_dir: Path) -> int:
    removed = 0
    for entry in git_dir.iterdir():
        if entry.is_dir() and entry.name.startswith(_TEMP_PREFIXES):
            shutil.rmtree(entry, ignore_errors=True)
            removed += 1
    return removed


def _remove_stale_locks(git_dir: Path) -> list[str]:
    found = [git_dir / name for name in _GIT_LOCKS if (git_dir / name).exists()]
    for folder in (git_dir / "refs", git_dir / "logs"):
        if folder.is_dir():
            found.extend(folder.rglob("*.lock"))
    for lock in found:
        lock.unlink(missing_ok=True)
    return [lock.relative_to(git_dir).as_posix() for lock in found]


def _changed_paths(repo: GitRepo, old: str | None, new: str) -> list[str]:
    start = old or repo.empty_tree()
    raw = repo.run(
        "diff-tree", "-r", "-z", "--name-only", "--no-renames", start, new, what="comparing"
    ).stdout
    return [part.decode("utf-8", "surrogateescape") for part in raw.split(b"\0") if part]


def _restore(repo: GitRepo, paths: list[str], target: str | None) -> None:
    """Make ``paths`` in the index and working tree match ``target`` (None: absent)."""
    present = set(repo.ls_tree(target)) if target else set()
    keep = [path for path in paths if path in present]
    drop = [path for path in paths if path not in present]
    if keep and target:
        payload = "".join(f"{path}\0" for path in keep).encode("utf-8", "surrogateescape")
        repo.run(
            "checkout", target, "--pathspec-from-file=-", "--pathspec-file-nul",
            what="restoring files", stdin=payload,
        )  # fmt: skip
    if drop:
        payload = "".join(f"{path}\0" for path in drop).encode("utf-8", "surrogateescape")
        repo.run(
            "rm", "-q", "--cached", "--ignore-unmatch", "--pathspec-from-file=-",
            "--pathspec-file-nul", what="unstaging files", stdin=payload,
        )  # fmt: skip
        for path in drop:
            (repo.workdir / path).unlink(missing_ok=True)


def interrupted(git_dir: Path) -> bool:
    """Whether a publisher was killed here (call with the workdir's lock held)."""
    return (git_dir / RUNNING_NAME).exists() or (git_dir / JOURNAL_NAME).exists()


def recover(repo: GitRepo, git_dir: Path, log: Callable[[str], None]) -> None:
    """Clean up after a publisher that was killed; a no-op after a clean exit."""
    cleaned = _remove_temporaries(git_dir)
    crashed = (git_dir / RUNNING_NAME).exists()
    locks = _remove_stale_locks(git_dir) if crashed else []
    record = git_dir / JOURNAL_NAME
    if crashed or cleaned or locks:
        log(
            f"a previous publisher using {repo.workdir} was interrupted; cleaned up "
            f"{cleaned} temporary folder(s) and {len(locks)} stale lock(s)"
        )
    if not record.exists():
        return
    moving = json.loads(record.read_text(encoding="utf-8"))
    target = repo.resolve(f"refs/heads/{moving['branch']}")
    paths = _changed_paths(repo, moving["old"], moving["new"])
    _restore(repo, paths, target)
    if target is not None and repo.head_branch() != moving["branch"]:
        repo.run("symbolic-ref", "HEAD", f"refs/heads/{moving['branch']}", what="switching")
    record.unlink()
    where = target[:12] if target else "an empty branch"
    log(f"restored {len(paths)} file(s) left half-updated in {repo.workdir} to {where}")


@contextmanager
def running(git_dir: Path) -> Iterator[None]:
    """Mark a publisher as running, so a crash is recognised by the next one."""
    marker = git_dir / RUNNING_NAME
    marker.write_text("")
    try:
        yield
    finally:
        marker.unlink(missing_ok=True)


@contextmanager
def journal(git_dir: Path, branch: str, old: str | None, new: str) -> Iterator[None]:
    """Record a working-tree move for the length of it; see the module docstring."""
    record = git_dir / JOURNAL_NAME
    payload = json.dumps({"branch": branch, "old": old, "new": new})
    temporary = record.with_suffix(".tmp")
    temporary.write_text(payload, encoding="utf-8")
    temporary.replace(record)
    yield
    record.unlink(missing_ok=True)
