"""Prepare the working tree: create or adopt it, and serialise publishers on it."""

from __future__ import annotations

import fcntl
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from wildside_ops.gitops.credentials import split_credentials
from wildside_ops.gitops.errors import InterruptedPublishError, PublishError, redact
from wildside_ops.gitops.gitrepo import GitRepo, run_git
from wildside_ops.gitops.recovery import interrupted, recover, running

__all__ = ["LOCK_NAME", "normalise_remote", "open_workdir"]

LOCK_NAME = "wildside-publish.lock"

# ``user@host:path`` (scp-like) or ``scheme://``: anything else is a local path.
_URL_LIKE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://|[^/]+:)")


def normalise_remote(remote: str) -> str:
    """Make a local path absolute, since git resolves relative ones against the workdir."""
    if not remote.strip():
        raise PublishError("remote is empty; give a URL or a local path, or None for local mode")
    if _URL_LIKE.match(remote):
        return remote
    return str(Path(remote).expanduser().resolve())


def _same_remote(configured: str, wanted: str) -> bool:
    if configured == wanted:
        return True
    if _URL_LIKE.match(configured) or _URL_LIKE.match(wanted):
        return configured.removeprefix("file://") == wanted.removeprefix("file://")
    return Path(configured).expanduser().resolve() == Path(wanted).expanduser().resolve()


def _git_dir(workdir: Path, env: Mapping[str, str]) -> Path:
    """The repository folder, creating ``workdir/.git`` when there is none yet.

    Creating the bare folder first gives the lock a home before ``git init``
    runs, so two publishers racing on a missing workdir still serialise.
    """
    if workdir.exists() and not workdir.is_dir():
        raise PublishError(f"workdir {workdir} is a file; give a folder path")
    dot_git = workdir / ".git"
    if dot_git.is_file():
        # A linked worktree or submodule: ``.git`` points elsewhere.
        found = run_git(
            ["rev-parse", "--absolute-git-dir"], what="locating .git", env=env, cwd=workdir
        )
        return Path(found.stdout.decode().strip())
    if not dot_git.exists():
        # ``.git`` itself may appear meanwhile: a racing publisher creating it.
        if workdir.exists() and any(entry.name != ".git" for entry in workdir.iterdir()):
            raise PublishError(
                f"workdir {workdir} exists, is not empty and is not a git repository; "
                "give an empty or missing folder, or run `git init` there first"
            )
        dot_git.mkdir(parents=True, exist_ok=True)
    return dot_git


@contextmanager
def _locked(git_dir: Path, workdir: Path, log: Callable[[str], None]) -> Iterator[None]:
    with (git_dir / LOCK_NAME).open("a+b") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log(f"waiting for another publisher using {workdir}")
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _initialise(repo: GitRepo, branch: str, remote: str | None, log: Callable[[str], None]) -> None:
    if remote is None:
        log(f"initialising a new repository in {repo.workdir} (branch {branch})")
    else:
        # init + fetch rather than ``git clone`` so an empty remote, or one
        # without this branch yet, takes the same path as any other.
        log(f"cloning {redact(remote)} into {repo.workdir} (branch {branch})")
    repo.run("init", "--quiet", f"--initial-branch={branch}", what="initialising the workdir")
    if remote is not None:
        repo.run("remote", "add", "origin", remote, what="adding the remote")
        repo.run("config", f"branch.{branch}.remote", "origin", what="configuring the branch")
        repo.run("config", f"branch.{branch}.merge", f"refs/heads/{branch}", what="configuring")


def _has_nothing_local(repo: GitRepo, branch: str) -> bool:
    """An unborn branch, an empty index and no files: nothing a re-point could lose."""
    if repo.resolve(f"refs/heads/{branch}") is not None or repo.resolve("HEAD") is not None:
        return False
    if repo.run("ls-files", what="listing the index").stdout.strip():
        return False
    return not any(entry.name != ".git" for entry in repo.workdir.iterdir())


def _adopt_remote(repo: GitRepo, remote: str, branch: str, log: Callable[[str], None]) -> None:
    configured = repo.remote_url()
    if configured is None:
        log(f"adding remote origin {redact(remote)} to {repo.workdir}")
        repo.run("remote", "add", "origin", remote, what="adding the remote")
        return
    stored, credential = split_credentials(configured)
    if credential is not None:
        # Written by an older version, or by hand: never keep a token on disk.
        repo.run("remote", "set-url", "origin", stored, what="removing stored credentials")
        log(f"removed credentials stored in {repo.workdir}/.git/config for origin")
    if _same_remote(stored, remote):
        return
    if _has_nothing_local(repo, branch):
        # A first run against a mistyped remote: nothing was fetched, nothing to keep.
        log(f"re-pointing origin of {repo.workdir} from {redact(stored)} to {redact(remote)}")
        repo.run("remote", "set-url", "origin", remote, what="re-pointing the remote")
        return
    raise PublishError(
        f"workdir {repo.workdir} is a clone of {stored}, not of {remote}; "
        "use another workdir, or fix remote.origin.url there"
    )


def _check_head(repo: GitRepo, branch: str) -> None:
    current = repo.head_branch()
    if current == branch:
        return
    if current is None:
        raise PublishError(
            f"workdir {repo.workdir} has a detached HEAD; run "
            f"`git -C {repo.workdir} switch {branch}` and re-run"
        )
    # An unborn HEAD on another name (a fresh `git init`) is adopted later.
    if repo.resolve("HEAD") is None and repo.resolve(f"refs/heads/{branch}") is None:
        return
    raise PublishError(
        f"workdir {repo.workdir} has branch {current!r} checked out, not {branch!r}; run "
        f"`git -C {repo.workdir} switch {branch}` or publish to branch {current!r}"
    )


@contextmanager
def open_workdir(
    workdir: Path,
    branch: str,
    remote: str | None,
    env: Mapping[str, str],
    log: Callable[[str], None],
    *,
    repair: bool = True,
) -> Iterator[GitRepo]:
    """Yield the repository in ``workdir``, locked against other publishers.

    A missing workdir is initialised (and, with a remote, given ``origin``);
    the clone itself is completed by the publisher's first fetch. What a killed
    publisher left is repaired first, or, with ``repair=False``, refused with
    ``InterruptedPublishError`` (a promotion must not start from a half-moved tree).
    """
    workdir = Path(workdir).expanduser().absolute()
    git_dir = _git_dir(workdir, env)
    repo = GitRepo(workdir, env)
    with _locked(git_dir, workdir, log):
        fresh = not (git_dir / "HEAD").exists()
        if not fresh and not repair and interrupted(git_dir):
            raise InterruptedPublishError(
                f"a publish in {workdir} was interrupted and its working tree may be half "
                "updated; the next `wildside render` (or synth) there repairs it, or use a "
                "fresh workdir"
            )
        if not fresh:
            recover(repo, git_dir, log)
        with running(git_dir):
            if fresh:
                _initialise(repo, branch, remote, log)
            elif remote is not None:
                _adopt_remote(repo, remote, branch, log)
            if repo.text("rev-parse", "--is-bare-repository", what="inspecting") == "true":
                raise PublishError(f"workdir {workdir} is a bare repository; give a working tree")
            _check_head(repo, branch)
            yield repo
