"""Validate a request before anything on disk or on the remote is touched.

Every problem is reported at once so a caller fixes them in one pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from wildside_ops.gitops.errors import PublishError
from wildside_ops.gitops.model import PublishRequest

__all__ = [
    "MANAGED_ROOTS",
    "SHARED_ROOTS",
    "is_managed_path",
    "is_owned_path",
    "path_problem",
    "validate_request",
]

# Folders a cluster may write; ``platform/`` and ``modules/`` are shared by every
# cluster publishing into the same repository, ``clusters/<name>/`` is private.
SHARED_ROOTS = ("platform", "modules")
MANAGED_ROOTS = ("clusters", *SHARED_ROOTS)

_DNS_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
# Control characters would corrupt git's line-based plumbing input and are never
# part of a sensible manifest path.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def path_problem(path: object) -> str | None:
    """Return why ``path`` is not a safe repository-relative POSIX path, if it is not."""
    if not isinstance(path, str):
        return f"path {path!r} is not a string"
    segments = path.split("/")
    checks = (
        (not path, "an empty path was given"),
        (path.startswith("/"), "is absolute; give it relative to the repository root"),
        ("\\" in path, "contains a backslash; use '/' as the separator"),
        (_CONTROL.search(path) is not None, "contains a control character"),
        ("" in segments, "has an empty segment (a doubled or trailing '/')"),
        (bool({".", ".."} & set(segments)), "contains a '.' or '..' segment"),
        (
            any(segment.lower() == ".git" for segment in segments),
            "names a '.git' folder, which git refuses to track",
        ),
    )
    for failed, reason in checks:
        if failed:
            return reason if not path else f"path {path!r} {reason}"
    return None


def is_managed_path(cluster: str, path: str) -> bool:
    """Whether ``cluster`` may write ``path`` (assumed to have passed ``path_problem``)."""
    segments = path.split("/")
    if segments[0] == "clusters":
        return len(segments) >= 3 and segments[1] == cluster
    return segments[0] in SHARED_ROOTS and len(segments) >= 2


def is_owned_path(prefixes: Iterable[str], path: str) -> bool:
    """Whether ``path`` is one of ``prefixes`` or lies in a '/'-terminated one."""
    return any(path == p or (p.endswith("/") and path.startswith(p)) for p in prefixes)


def _file_problems(cluster: str, paths: Iterable[object], owned: tuple[str, ...] = ()) -> list[str]:
    problems: list[str] = []
    valid: set[str] = set()
    for path in paths:
        problem = path_problem(path)
        if problem is not None:
            problems.append(problem)
            continue
        assert isinstance(path, str)  # narrowed by path_problem
        if owned and not is_owned_path(owned, path):
            problems.append(
                f"path {path!r} is outside the paths this publish owns "
                f"({', '.join(owned)}); render it under one of them"
            )
            continue
        if not owned and not is_managed_path(cluster, path):
            problems.append(
                f"path {path!r} is outside the folders cluster {cluster!r} may write "
                f"(clusters/{cluster}/, platform/, modules/); render it under one of them"
            )
            continue
        valid.add(path)
    # A path that is also a parent folder of another path cannot exist in one tree.
    for path in sorted(valid):
        parts = path.split("/")
        for depth in range(1, len(parts)):
            parent = "/".join(parts[:depth])
            if parent in valid:
                problems.append(
                    f"path {parent!r} is a file but {path!r} needs it to be a folder; "
                    "rename one of them"
                )
    return problems


def _setting_problems(request: PublishRequest) -> list[str]:
    problems: list[str] = []
    for component in request.components:
        if not isinstance(component, str) or not component or _CONTROL.search(component):
            problems.append(f"components contains {component!r}; give plain component names")
    if request.remove_cluster and request.files:
        problems.append("remove_cluster is set but files are given; give no files to remove")
    budget = request.push_budget_seconds
    if isinstance(budget, bool) or not isinstance(budget, int | float) or not 0 <= budget <= 3600:
        problems.append(
            f"push_budget_seconds is {budget!r}; give a number of seconds from 0 to 3600"
        )
    for field in ("author_name", "author_email"):
        value = getattr(request, field)
        if not isinstance(value, str) or not value.strip() or _CONTROL.search(value):
            problems.append(f"{field} is {value!r}; give a non-empty single-line value")
    for prefix in request.owned_prefixes:
        if not isinstance(prefix, str) or path_problem(prefix.removesuffix("/")) is not None:
            problems.append(f"owned_prefixes contains {prefix!r}; give safe relative paths")
    commit = request.source_commit
    if commit is not None and (not isinstance(commit, str) or _CONTROL.search(commit)):
        problems.append(f"source_commit is {commit!r}; give a commit id or None")
    return problems


def validate_request(request: PublishRequest) -> None:
    """Raise ``PublishError`` listing every problem with ``request``, or return."""
    problems: list[str] = []
    if not isinstance(request.cluster, str) or not _DNS_LABEL.match(request.cluster):
        problems.append(
            f"cluster {request.cluster!r} is not a DNS label "
            "(lower-case letters, digits and '-', at most 63 characters)"
        )
    else:
        problems.extend(
            _file_problems(request.cluster, request.files.keys(), tuple(request.owned_prefixes))
        )
    problems.extend(
        f"files[{path!r}] is {type(text).__name__}, expected the file text"
        for path, text in request.files.items()
        if not isinstance(text, str)
    )
    problems.extend(_setting_problems(request))
    if problems:
        count = len(problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"publish request for cluster {request.cluster!r} has {count} {noun}:"]
        lines.extend(f"  - {problem}" for problem in problems)
        raise PublishError("\n".join(lines))
