"""Thin, typed wrappers over the git plumbing the publisher needs.

Everything runs the ``git`` executable with an explicit environment rather
than through GitPython: each step needs its own environment (a temporary
``GIT_INDEX_FILE``, the publishing identity) and exact bytes on stdin, and
keeping one mechanism makes failures report uniformly.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from wildside_ops.gitops.errors import PublishError, redact
from wildside_ops.gitops.plan import FILE_MODE, Entry

__all__ = ["GitRepo", "PushOutcome", "base_environment", "check_branch_name", "run_git"]

# Variables that would redirect git at another repository, index or object
# store, as happens when this program runs inside a git hook.
_LOCATION_VARIABLES = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_NAMESPACE",
    "GIT_PREFIX",
    "GIT_COMMON_DIR",
)


_REMOTE_HINT = "check the remote URL, your credentials and the network"


def base_environment(name: str, email: str) -> dict[str, str]:
    """The environment for every git call: no redirection, no prompts, our identity."""
    env = {key: value for key, value in os.environ.items() if key not in _LOCATION_VARIABLES}
    env.update(
        {
            "GIT_TERMINAL_PROMPT": "0",
            # Stable, English messages: some are matched and all are shown to users.
            "LC_ALL": "C",
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email,
        }
    )
    return env


def _describe(args: Sequence[str]) -> str:
    return redact(shlex.join(["git", *args]))


def run_git(
    args: Sequence[str],
    *,
    what: str,
    env: Mapping[str, str],
    cwd: Path | None = None,
    stdin: bytes | None = None,
    check: bool = True,
    hint: str = "",
) -> subprocess.CompletedProcess[bytes]:
    """Run git; on failure raise ``PublishError`` with ``what``, ``hint`` and git's stderr."""
    command = ["git", "-c", "core.autocrlf=false", *args]
    if cwd is not None:
        command[1:1] = ["-C", str(cwd)]
    try:
        # Never inherit stdin: `cdktf synth` runs the app with a pipe it never
        # closes, so a git command reading stdin (hash-object --stdin) would wait forever.
        result = subprocess.run(
            command,
            input=stdin if stdin is not None else b"",
            capture_output=True,
            env=dict(env),
            check=False,
        )
    except OSError as error:
        raise PublishError(f"{what} failed: cannot run git ({error}); install git") from error
    if check and result.returncode != 0:
        stderr = result.stderr.decode("utf-8", errors="replace").strip()
        advice = f"; {hint}" if hint else ""
        raise PublishError(
            f"{what} failed ({_describe(args)} exited {result.returncode}){advice}:\n{stderr}"
        )
    return result


def check_branch_name(branch: str, env: Mapping[str, str]) -> None:
    """Reject a branch name git would refuse, before anything is touched."""
    valid = (
        isinstance(branch, str)
        and branch
        and not branch.startswith("-")
        and run_git(
            ["check-ref-format", f"refs/heads/{branch}"], what="", env=env, check=False
        ).returncode
        == 0
    )
    if not valid:
        raise PublishError(f"branch {branch!r} is not a valid git branch name; give e.g. 'main'")


@dataclass(frozen=True)
class PushOutcome:
    """Result of one push: landed, rejected (worth a retry), with git's output."""

    landed: bool
    output: str


class GitRepo:
    """One working tree and its repository."""

    def __init__(self, workdir: Path, env: Mapping[str, str]) -> None:
        self.workdir = workdir
        self.env = dict(env)
        self._object_format: str | None = None
        self._stored: set[str] = set()

    def run(
        self,
        *args: str,
        what: str,
        stdin: bytes | None = None,
        extra_env: Mapping[str, str] | None = None,
        check: bool = True,
        hint: str = "",
    ) -> subprocess.CompletedProcess[bytes]:
        env = {**self.env, **(extra_env or {})}
        return run_git(
            args, what=what, env=env, cwd=self.workdir, stdin=stdin, check=check, hint=hint
        )

    def text(self, *args: str, what: str, extra_env: Mapping[str, str] | None = None) -> str:
        found = self.run(*args, what=what, extra_env=extra_env)
        return found.stdout.decode("utf-8", errors="replace").strip()

    # -- inspection ---------------------------------------------------------

    def git_dir(self) -> Path:
        return Path(self.text("rev-parse", "--absolute-git-dir", what="locating .git"))

    def object_format(self) -> str:
        """``sha1`` or ``sha256``: the hash both git and ``blob_id`` must use."""
        if self._object_format is None:
            found = self.run("rev-parse", "--show-object-format", what="", check=False)
            name = found.stdout.decode().strip()
            self._object_format = name if found.returncode == 0 and name else "sha1"
        return self._object_format

    def resolve(self, ref: str) -> str | None:
        """Commit id of ``ref``, or ``None`` when it does not exist (an unborn branch)."""
        found = self.run(
            "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", what="", check=False
        )
        return found.stdout.decode().strip() if found.returncode == 0 else None

    def head_branch(self) -> str | None:
        """The branch ``HEAD`` names (even unborn), or ``None`` when detached."""
        found = self.run("symbolic-ref", "--quiet", "HEAD", what="", check=False)
        ref = found.stdout.decode().strip()
        prefix = "refs/heads/"
        return ref[len(prefix) :] if found.returncode == 0 and ref.startswith(prefix) else None

    def is_ancestor(self, older: str, newer: str) -> bool:
        found = self.run("merge-base", "--is-ancestor", older, newer, what="", check=False)
        if found.returncode not in (0, 1):
            stderr = found.stderr.decode(errors="replace").strip()
            raise PublishError(f"comparing {older[:12]} with {newer[:12]} failed:\n{stderr}")
        return found.returncode == 0

    def tree_of(self, commit: str) -> str:
        return self.text("rev-parse", f"{commit}^{{tree}}", what=f"reading the tree of {commit}")

    def ls_tree(self, commit: str | None) -> dict[str, Entry]:
        """Every file of ``commit``'s tree (empty for ``None``), by path."""
        if commit is None:
            return {}
        raw = self.run(
            "ls-tree", "-r", "-z", "--full-tree", commit, what=f"listing {commit}"
        ).stdout
        entries: dict[str, Entry] = {}
        for record in raw.split(b"\0"):
            if not record:
                continue
            meta, _, path = record.partition(b"\t")
            mode, _kind, oid = meta.decode().split(" ")
            entries[path.decode("utf-8", errors="surrogateescape")] = Entry(mode, oid)
        return entries

    def read_blobs(self, oids: Iterable[str]) -> dict[str, bytes]:
        """Contents of the given blobs, in one ``cat-file --batch`` call."""
        wanted = sorted(set(oids))
        if not wanted:
            return {}
        raw = self.run(
            "cat-file", "--batch", what="reading files", stdin="\n".join(wanted).encode() + b"\n"
        ).stdout
        blobs: dict[str, bytes] = {}
        position = 0
        for oid in wanted:
            end = raw.index(b"\n", position)
            header = raw[position:end].decode().split(" ")
            if len(header) != 3:
                raise PublishError(f"object {oid} is missing from the repository; run git fsck")
            size = int(header[2])
            blobs[oid] = raw[end + 1 : end + 1 + size]
            position = end + 1 + size + 1
        return blobs

    # -- building -----------------------------------------------------------

    def write_blobs(self, blobs: Mapping[str, bytes]) -> None:
        """Store every blob (expected id -> bytes) with one git call.

        Retries after a rejected push ask again for mostly the same blobs;
        those already stored by this run are skipped. ``--no-filters`` keeps
        ``.gitattributes`` and ``core.autocrlf`` from altering the bytes.
        """
        pending = {oid: data for oid, data in blobs.items() if oid not in self._stored}
        if not pending:
            return
        with tempfile.TemporaryDirectory(prefix="wildside-index-", dir=self.git_dir()) as tmp:
            names = []
            for number, data in enumerate(pending.values()):
                name = Path(tmp) / str(number)
                name.write_bytes(data)
                names.append(str(name))
            found = self.run(
                "hash-object", "-w", "--no-filters", "--stdin-paths",
                what="storing files", stdin="\n".join(names).encode() + b"\n",
            )  # fmt: skip
        written = found.stdout.decode().split()
        for expected, actual in zip(pending, written, strict=False):
            if actual != expected:
                raise PublishError(
                    f"git stored a file as {actual} but {expected} was expected; "
                    "check for a git wrapper or unusual object format"
                )
        if len(written) != len(pending):
            raise PublishError(f"git stored {len(written)} of {len(pending)} files")
        self._stored.update(pending)

    def write_tree(
        self, base: str | None, writes: Mapping[str, str], removals: Sequence[str]
    ) -> str:
        """A tree: ``base``'s with ``removals`` dropped and ``writes`` (path -> blob id) set.

        A throw-away index keeps the user's index and working tree out of it.
        """
        with tempfile.TemporaryDirectory(prefix="wildside-index-", dir=self.git_dir()) as tmp:
            index = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
            if base is None:
                self.run("read-tree", "--empty", what="preparing the tree", extra_env=index)
            else:
                self.run("read-tree", base, what="reading the base tree", extra_env=index)
            zero = "0" * (64 if self.object_format() == "sha256" else 40)
            records = [f"0 {zero}\t{path}" for path in removals]
            records += [f"{FILE_MODE} {oid}\t{path}" for path, oid in writes.items()]
            if records:
                payload = "".join(f"{record}\0" for record in records).encode("utf-8")
                self.run(
                    "update-index",
                    "-z",
                    "--index-info",
                    what="staging the files",
                    stdin=payload,
                    extra_env=index,
                )
            return self.text("write-tree", what="writing the tree", extra_env=index)

    def signs_commits(self) -> bool:
        found = self.run("config", "--bool", "--get", "commit.gpgSign", what="", check=False)
        return found.returncode == 0 and found.stdout.decode().strip() == "true"

    def commit_tree(self, tree: str, parent: str | None, message: str) -> str:
        """A commit object, signed when git config asks for it (``commit.gpgSign``).

        ``git commit-tree`` deliberately ignores ``commit.gpgSign``, so it is read
        here and turned into ``-S``, as ``git rebase`` does.
        """
        sign = ["-S"] if self.signs_commits() else []
        args = ["commit-tree", tree, *(["-p", parent] if parent else []), *sign, "-F", "-"]
        result = self.run(*args, what="creating the commit", stdin=message.encode("utf-8"))
        return result.stdout.decode().strip()

    # -- moving the working tree ---------------------------------------------

    def _merge_args(self, old: str | None, new: str | None) -> list[str]:
        # ``None`` is an unborn branch: the empty tree stands in for it.
        start = old if old is not None else self.empty_tree()
        end = new if new is not None else self.empty_tree()
        return ["read-tree", "-m", "-u", start, end]

    def empty_tree(self) -> str:
        return self.text("hash-object", "-w", "-t", "tree", "--stdin", what="writing a tree")

    def check_checkout(self, old: str | None, new: str) -> None:
        """Fail if moving the working tree from ``old`` to ``new`` would lose local edits.

        Runs against a copy of the index so even the stat refresh leaves the
        user's index untouched.
        """
        git_dir = self.git_dir()
        with tempfile.TemporaryDirectory(prefix="wildside-check-", dir=git_dir) as tmp:
            index = Path(tmp) / "index"
            if (git_dir / "index").exists():
                shutil.copyfile(git_dir / "index", index)
            env = {"GIT_INDEX_FILE": str(index)}
            self.run("update-index", "-q", "--refresh", what="", extra_env=env, check=False)
            found = self.run(*self._merge_args(old, new), "-n", what="", extra_env=env, check=False)
        if found.returncode != 0:
            stderr = found.stderr.decode("utf-8", errors="replace").strip()
            raise PublishError(
                f"the working tree {self.workdir} has local changes that publishing would "
                f"overwrite; commit, stash or discard them (git -C {self.workdir} status) "
                f"and re-run:\n{stderr}"
            )

    def checkout(self, old: str | None, new: str | None) -> None:
        """Fast-forward the index and working tree from ``old`` to ``new``."""
        self.run("update-index", "-q", "--refresh", what="", check=False)
        self.run(*self._merge_args(old, new), what="updating the working tree")

    def update_ref(self, ref: str, new: str, old: str | None, reason: str) -> None:
        """Move ``ref`` only if it still points at ``old`` (``None``: must not exist)."""
        self.run(
            "update-ref", "-m", reason, ref, new, old or "", what=f"moving {ref} to {new[:12]}"
        )

    # -- the remote -----------------------------------------------------------

    def remote_url(self) -> str | None:
        found = self.run("config", "--get", "remote.origin.url", what="", check=False)
        return found.stdout.decode().strip() if found.returncode == 0 else None

    def remote_tip(self, branch: str) -> str | None:
        """Fetch ``branch`` from origin; its commit, or ``None`` if it does not exist yet."""
        ref = f"refs/heads/{branch}"
        listed = self.run(
            "ls-remote", "origin", ref, what="querying the remote", hint=_REMOTE_HINT
        ).stdout.decode("utf-8", errors="replace")
        if not any(line.split("\t")[-1] == ref for line in listed.splitlines()):
            return None
        tracking = f"refs/remotes/origin/{branch}"
        self.run(
            "fetch",
            "--no-tags",
            "origin",
            f"+{ref}:{tracking}",
            what=f"fetching {branch}",
            hint=_REMOTE_HINT,
        )
        return self.resolve(tracking)

    def push(self, commit: str, branch: str, expected: str | None) -> PushOutcome:
        """Push ``commit`` to ``branch`` only if the remote still has ``expected`` there."""
        ref = f"refs/heads/{branch}"
        found = self.run(
            "push",
            "--porcelain",
            f"--force-with-lease={ref}:{expected or ''}",
            "origin",
            f"{commit}:{ref}",
            what=f"pushing to {branch}",
            check=False,
        )
        stdout = found.stdout.decode("utf-8", errors="replace")
        stderr = found.stderr.decode("utf-8", errors="replace")
        output = redact("\n".join(part.strip() for part in (stdout, stderr) if part.strip()))
        flags = [line[:1] for line in stdout.splitlines() if "\t" in line]
        if found.returncode == 0 and "=" in flags:
            # "up to date": the remote already had this very commit, pushed by a
            # racing publisher that built a byte-identical one. Not ours; re-plan.
            return PushOutcome(landed=False, output=output)
        if found.returncode == 0:
            return PushOutcome(landed=True, output=output)
        if "!" in flags:
            return PushOutcome(landed=False, output=output)
        raise PublishError(
            f"pushing to {branch} failed (not a rejection, so not retried); check the "
            f"remote URL, your access and the network:\n{output}"
        )
