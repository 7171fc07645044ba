"""Ownership records: which paths each cluster has published.

They live in the repository itself (``.wildside/ownership/<cluster>.json``) so
that a fresh clone, or another cluster's publisher, knows who wrote what
without any state outside git.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from wildside_ops.gitops.errors import PublishError
from wildside_ops.gitops.paths import path_problem

__all__ = [
    "RECORD_DIR",
    "cluster_of_record",
    "others_by_path",
    "parse_record",
    "record_path",
    "render_record",
]

RECORD_DIR = ".wildside/ownership"
_SUFFIX = ".json"


def record_path(cluster: str) -> str:
    """Repository path of ``cluster``'s ownership record."""
    return f"{RECORD_DIR}/{cluster}{_SUFFIX}"


def cluster_of_record(path: str) -> str | None:
    """The cluster a repository path records, or ``None`` if it is not a record."""
    prefix = f"{RECORD_DIR}/"
    if not path.startswith(prefix) or not path.endswith(_SUFFIX):
        return None
    name = path[len(prefix) : -len(_SUFFIX)]
    if not name or "/" in name:
        return None
    return name


def render_record(paths: Iterable[str]) -> str:
    """The record text: a sorted, pretty-printed JSON list with a trailing newline."""
    return json.dumps(sorted(set(paths)), indent=2, ensure_ascii=False) + "\n"


def parse_record(path: str, data: bytes) -> frozenset[str]:
    """Paths listed in a record; entries that are not safe paths are ignored.

    Ignoring unsafe entries (rather than failing) matters because a record is
    only ever used to decide what may be pruned, and an entry that could never
    have been published must never lead to a deletion.
    """
    try:
        loaded = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PublishError(
            f"ownership record {path} is not valid JSON ({error}); restore it from "
            f"history (git log -- {path}) and re-run"
        ) from error
    if not isinstance(loaded, list):
        raise PublishError(
            f"ownership record {path} must be a JSON list of paths; restore it from "
            f"history (git log -- {path}) and re-run"
        )
    return frozenset(
        entry for entry in loaded if isinstance(entry, str) and path_problem(entry) is None
    )


def others_by_path(records: Mapping[str, frozenset[str]], cluster: str) -> dict[str, list[str]]:
    """Map each path recorded by a cluster other than ``cluster`` to those clusters."""
    owners: dict[str, list[str]] = {}
    for other, paths in sorted(records.items()):
        if other == cluster:
            continue
        for path in paths:
            owners.setdefault(path, []).append(other)
    return owners
