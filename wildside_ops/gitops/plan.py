"""Work out what one publish changes, given the tree it builds on.

Pure: it reads the base tree only through the snapshot and a blob reader, so
the same function serves the first attempt, every push retry (on a new tip)
and a dry run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from wildside_ops.gitops.errors import PublishError
from wildside_ops.gitops.model import PublishRequest
from wildside_ops.gitops.ownership import (
    RECORD_DIR,
    cluster_of_record,
    others_by_path,
    parse_record,
    record_path,
    render_record,
)
from wildside_ops.gitops.paths import is_managed_path, is_owned_path
from wildside_ops.gitops.tree import (
    Texts,
    applied_by_others,
    part_of,
    reads_shared_platform,
    unit_folder,
)

__all__ = ["FILE_MODE", "BlobReader", "Entry", "Plan", "blob_id", "build_plan"]

FILE_MODE = "100644"

BlobReader = Callable[[Iterable[str]], Mapping[str, bytes]]
"""Reads blobs by object id; returns ``{oid: bytes}`` for every id asked for."""


@dataclass(frozen=True)
class Entry:
    """One file of the base tree: git mode and object id."""

    mode: str
    oid: str


@dataclass(frozen=True)
class Plan:
    """The changes one publish makes to its base tree."""

    writes: Mapping[str, bytes]
    write_ids: Mapping[str, str]
    removals: tuple[str, ...]
    added: tuple[str, ...]
    changed: tuple[str, ...]
    components_changed: tuple[str, ...]
    shared_changes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def removed(self) -> tuple[str, ...]:
        return self.removals

    @property
    def is_empty(self) -> bool:
        return not self.writes and not self.removals


def blob_id(data: bytes, algorithm: str = "sha1") -> str:
    """The object id git gives ``data`` as a blob, computed without git.

    Hashing the bytes here (rather than letting git read a file) is what keeps
    ``core.autocrlf`` and ``.gitattributes`` filters from altering content.
    """
    digest = hashlib.new(algorithm)
    digest.update(b"blob %d\0" % len(data))
    digest.update(data)
    return digest.hexdigest()


def _record_shape_problem(path: str, entry: Entry) -> str | None:
    if path.startswith(f"{RECORD_DIR}/") and "/" in path[len(RECORD_DIR) + 1 :]:
        folder = path[: path.index("/", len(RECORD_DIR) + 1)]
        if cluster_of_record(folder) is not None:
            return f"{folder} is a folder"
    if cluster_of_record(path) is not None and entry.mode != FILE_MODE:
        kind = {"120000": "a symbolic link", "100755": "an executable file"}
        return f"{path} is {kind.get(entry.mode, f'mode {entry.mode}')}"
    return None


def _read_records(
    snapshot: Mapping[str, Entry], read_blobs: BlobReader
) -> dict[str, frozenset[str]]:
    for path, entry in snapshot.items():
        problem = _record_shape_problem(path, entry)
        if problem is not None:
            raise PublishError(
                f"ownership record {problem}, not a regular JSON file, so which paths it "
                "lists is unknown and nothing can safely be removed; restore it from "
                f"history (git log -- {RECORD_DIR}) and re-run"
            )
    located = {name: path for path in snapshot if (name := cluster_of_record(path)) is not None}
    blobs = read_blobs(snapshot[path].oid for path in located.values())
    return {name: parse_record(path, blobs[snapshot[path].oid]) for name, path in located.items()}


def _tree_reader(snapshot: Mapping[str, Entry], read_blobs: BlobReader) -> Texts:
    def texts(paths: Iterable[str]) -> dict[str, bytes]:
        wanted = [path for path in paths if path in snapshot]
        blobs = read_blobs(snapshot[path].oid for path in wanted)
        return {path: blobs[snapshot[path].oid] for path in wanted}

    return texts


def _may_prune(cluster: str, path: str, other_owners: Mapping[str, list[str]]) -> bool:
    if not is_managed_path(cluster, path):
        # A record edited by hand might list anything; only managed paths are ours.
        return False
    if path.startswith(f"clusters/{cluster}/"):
        return True
    return path not in other_owners


def _shared_conflicts(
    request: PublishRequest,
    snapshot: Mapping[str, Entry],
    ids: Mapping[str, str],
    other_owners: Mapping[str, list[str]],
) -> dict[str, tuple[str, ...]]:
    conflicts: dict[str, tuple[str, ...]] = {}
    for path in sorted(request.files):
        # modules/ is exempt: no cluster's Flux tree reads it directly.
        if not path.startswith("platform/") or path not in other_owners:
            continue
        entry = snapshot.get(path)
        if entry is not None and (entry.oid != ids[path] or entry.mode != FILE_MODE):
            conflicts[path] = tuple(other_owners[path])
    return conflicts


def _affecting(
    conflicts: Mapping[str, tuple[str, ...]], snapshot: Mapping[str, Entry], texts: Texts
) -> dict[str, tuple[str, ...]]:
    """Only owners that apply ``platform/`` itself; promoted ones wait for a promotion."""
    direct: dict[str, bool] = {}
    affected: dict[str, tuple[str, ...]] = {}
    for path, owners in conflicts.items():
        for owner in owners:
            if owner not in direct:
                direct[owner] = reads_shared_platform(owner, snapshot, texts)
        if readers := tuple(owner for owner in owners if direct[owner]):
            affected[path] = readers
    return affected


def _shared_error(cluster: str, conflicts: Mapping[str, tuple[str, ...]]) -> PublishError:
    lines = [
        f"publishing cluster {cluster!r} would change {len(conflicts)} platform/ "
        "file(s) that other clusters' trees also read:"
    ]
    lines.extend(
        f"  - {path} (also published by cluster {', '.join(repr(c) for c in owners)})"
        for path, owners in conflicts.items()
    )
    lines.append(
        "Review the change with a dry run (--dry-run --diff), then re-run with "
        "allow_shared_change=True (CLI: --allow-shared-change) to consent."
    )
    return PublishError("\n".join(lines))


def _component_of(cluster: str, path: str, unit_texts: Mapping[str, bytes]) -> str | None:
    parts = path.split("/")
    if parts[0] in ("platform", "modules"):
        return parts[1] if parts[0] == "platform" else "modules"
    if parts[:2] != ["clusters", cluster] or len(parts) < 3:
        return None
    if len(parts) > 3:
        # A cluster-level folder (clusters/<cluster>/sources/): its unit file says whose.
        unit = unit_texts.get(f"clusters/{cluster}/{parts[2]}.yaml", b"")
        return part_of(unit) or parts[2]
    # A cluster's unit file names its component: its label, else the folder it applies.
    data = unit_texts.get(path, b"")
    return part_of(data) or unit_folder(data)


def components_changed(
    cluster: str,
    components: Iterable[str],
    touched: Iterable[str],
    removed: Iterable[str],
    unit_texts: Mapping[str, bytes],
) -> tuple[str, ...]:
    """Every component with a changed path: enabled ones in order, then the others.

    A folder no longer enabled is reported as ``<folder> removed``.
    """
    enabled = list(dict.fromkeys(components))
    gone = set(removed)
    found: dict[str, bool] = {}
    for path in touched:
        name = _component_of(cluster, path, unit_texts)
        if name is not None:
            found[name] = found.get(name, False) or path not in gone
    ordered = [name for name in enabled if name in found]
    ordered += sorted(name for name in found if name not in enabled and found[name])
    ordered += sorted(
        f"{name} removed" for name in found if name not in enabled and not found[name]
    )
    return tuple(ordered)


def _owned_plan(request: PublishRequest, snapshot: Mapping[str, Entry], algorithm: str) -> Plan:
    """Owned-prefix mode: the prefixes hold exactly ``files``; nothing else is touched."""
    desired = {path: text.encode("utf-8") for path, text in request.files.items()}
    ids = {path: blob_id(data, algorithm) for path, data in desired.items()}
    writes = {
        path: desired[path]
        for path in sorted(desired)
        if (entry := snapshot.get(path)) is None
        or entry.oid != ids[path]
        or entry.mode != FILE_MODE
    }
    removals = tuple(
        sorted(
            path
            for path in snapshot
            if path not in desired and is_owned_path(request.owned_prefixes, path)
        )
    )
    return Plan(
        writes=writes,
        write_ids={path: ids[path] for path in writes},
        removals=removals,
        added=tuple(path for path in writes if path not in snapshot),
        changed=tuple(path for path in writes if path in snapshot),
        components_changed=tuple(dict.fromkeys(request.components)),
    )


def build_plan(
    request: PublishRequest,
    snapshot: Mapping[str, Entry],
    read_blobs: BlobReader,
    algorithm: str = "sha1",
) -> Plan:
    """Plan ``request`` against the base tree ``snapshot`` (path -> entry).

    Raises ``PublishError`` when a shared ``platform/`` file would change
    without consent, or an ownership record is unreadable.
    """
    if request.owned_prefixes:
        return _owned_plan(request, snapshot, algorithm)
    cluster = request.cluster
    records = _read_records(snapshot, read_blobs)
    other_owners = others_by_path(records, cluster)
    previous = records.get(cluster, frozenset())
    record = record_path(cluster)
    texts = _tree_reader(snapshot, read_blobs)

    desired = {path: text.encode("utf-8") for path, text in request.files.items()}
    if request.remove_cluster:
        # Everything under the cluster's folder goes, listed in its record or not.
        own = f"clusters/{cluster}/"
        previous = previous | {path for path in snapshot if path.startswith(own)}
    else:
        desired[record] = render_record(request.files).encode("utf-8")
    ids = {path: blob_id(data, algorithm) for path, data in desired.items()}

    conflicts = _shared_conflicts(request, snapshot, ids, other_owners)
    if conflicts:
        conflicts = _affecting(conflicts, snapshot, texts)
    if conflicts and not request.allow_shared_change:
        raise _shared_error(cluster, conflicts)

    writes: dict[str, bytes] = {}
    for path in sorted(desired):
        entry = snapshot.get(path)
        if entry is None or entry.oid != ids[path] or entry.mode != FILE_MODE:
            writes[path] = desired[path]
    candidates = [
        path
        for path in previous - desired.keys()
        if path in snapshot and _may_prune(cluster, path, other_owners)
    ]
    if any(path.startswith("platform/") for path in candidates):
        # Records can be deleted or edited; the tree is what Flux applies.
        in_use = applied_by_others(cluster, snapshot, texts)
        candidates = [path for path in candidates if path not in in_use]
    if request.remove_cluster and record in snapshot:
        candidates.append(record)
    removals = tuple(sorted(candidates))
    added = tuple(path for path in writes if path not in snapshot)
    changed = tuple(path for path in writes if path in snapshot)
    touched = [path for path in (*writes, *removals) if path != record]
    unit_texts = {**texts(p for p in removals if p.startswith("clusters/")), **desired}
    names = components_changed(cluster, request.components, touched, removals, unit_texts)
    if not names:
        names = tuple(dict.fromkeys(request.components))
    return Plan(
        writes=writes,
        write_ids={path: ids[path] for path in writes},
        removals=removals,
        added=added,
        changed=changed,
        components_changed=names,
        shared_changes=conflicts,
    )
