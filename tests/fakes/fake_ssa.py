"""Server-side apply's field ownership for the fake Kubernetes API server.

Modelled after the Kubernetes docs, "Server-Side Apply"
(https://kubernetes.io/docs/reference/using-api/server-side-apply/), for the
fields a Secret or Namespace write touches (``metadata.labels``,
``metadata.annotations``, ``data``, ``stringData``, ``type``):

- Maps such as ``data`` and ``labels`` are granular: each key is a field with
  its own owners, so an apply sets only the keys it sends ("Merge strategy").
- An apply that would change a field another manager owns is a conflict
  (HTTP 409, reason ``Conflict``, one cause per field) unless ``force=true``,
  which moves the field to the applier; applying the same value shares it.
- A field the applier owned and no longer sends is removed, unless another
  manager also owns it ("Field management").
- A non-apply write (``operation: Update``) takes ownership of the fields it
  changed, without conflicts, from every other manager.
- ``managedFields`` lists one entry per manager and operation, in fieldsV1
  form (``{"f:data": {"f:key": {}}}``); a manager left owning nothing is dropped.

Not modelled: list merge keys (``x-kubernetes-list-type``), nested structs
beyond these fields, apiVersion-specific ownership, ``managedFields`` resets.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Iterator
from typing import Any

Field = tuple[str, ...]  # e.g. ("data", "role_id"), ("type",)
_MAPS: tuple[Field, ...] = (("metadata", "labels"), ("metadata", "annotations"), ("data",))
_SCALARS: tuple[Field, ...] = (("type",),)


class ApplyConflict(Exception):
    def __init__(self, conflicts: list[tuple[str, Field]]) -> None:
        self.conflicts = conflicts
        super().__init__(f"{len(conflicts)} conflict(s)")


def fields_of(obj: dict[str, Any]) -> dict[Field, Any]:
    """Each tracked leaf field of ``obj`` and its value."""
    found: dict[Field, Any] = {}
    for path in _MAPS:
        node: Any = obj
        for part in path:
            node = node.get(part) if isinstance(node, dict) else None
        for key, value in (node or {}).items():
            found[(*path, key)] = value
    for path in _SCALARS:
        if path[0] in obj:
            found[path] = obj[path[0]]
    return found


def _set(obj: dict[str, Any], field: Field, value: Any) -> None:
    node = obj
    for part in field[:-1]:
        node = node.setdefault(part, {})
    node[field[-1]] = value


def _remove(obj: dict[str, Any], field: Field) -> None:
    node: Any = obj
    for part in field[:-1]:
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, dict):
        node.pop(field[-1], None)


def _owners(obj: dict[str, Any]) -> list[dict[str, Any]]:
    managed: list[dict[str, Any]] = obj.setdefault("metadata", {}).setdefault("managedFields", [])
    return managed


def owned(entry: dict[str, Any]) -> set[Field]:
    return set(_walk(entry.get("fieldsV1") or {}, ()))


def _walk(tree: dict[str, Any], prefix: Field) -> Iterator[Field]:
    for name, child in tree.items():
        here = (*prefix, name.removeprefix("f:"))
        if child:
            yield from _walk(child, here)
        else:
            yield here


def _tree(fields: set[Field]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for field in sorted(fields):
        node = tree
        for part in field:
            node = node.setdefault(f"f:{part}", {})
    return tree


def _entry(obj: dict[str, Any], manager: str, operation: str) -> dict[str, Any]:
    for entry in _owners(obj):
        if (entry["manager"], entry["operation"]) == (manager, operation):
            return entry
    entry = {
        "manager": manager,
        "operation": operation,
        "apiVersion": "v1",
        "fieldsType": "FieldsV1",
        "fieldsV1": {},
    }
    _owners(obj).append(entry)
    return entry


def _store(obj: dict[str, Any], entry: dict[str, Any], fields: set[Field]) -> None:
    entry["fieldsV1"] = _tree(fields)
    entry["time"] = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _prune(obj: dict[str, Any]) -> None:
    obj["metadata"]["managedFields"] = [e for e in _owners(obj) if e.get("fieldsV1")]


def apply(
    live: dict[str, Any] | None, config: dict[str, Any], manager: str, force: bool
) -> dict[str, Any]:
    """The object after ``manager`` applies ``config``; ``ApplyConflict`` without ``force``."""
    obj = copy.deepcopy(live) if live is not None else {"metadata": {"managedFields": []}}
    current, wanted = fields_of(obj), fields_of(config)
    mine = _entry(obj, manager, "Apply")
    conflicts = [
        (entry["manager"], field)
        for entry in _owners(obj)
        if entry is not mine
        for field in owned(entry)
        if field in wanted and field in current and current[field] != wanted[field]
    ]
    if conflicts and not force:
        raise ApplyConflict(conflicts)
    for entry in _owners(obj):
        if entry is not mine:
            taken = {f for owner, f in conflicts if owner == entry["manager"]}
            _store(obj, entry, owned(entry) - taken)
    others = set().union(*(owned(e) for e in _owners(obj) if e is not mine))
    for field in owned(mine) - set(wanted) - others:
        _remove(obj, field)
    for field, value in wanted.items():
        _set(obj, field, copy.deepcopy(value))
    _store(obj, mine, set(wanted))
    for name in ("apiVersion", "kind"):
        obj[name] = config.get(name, obj.get(name))
    _prune(obj)
    return obj


def update(live: dict[str, Any], changed: dict[str, Any], manager: str) -> dict[str, Any]:
    """The object after a non-apply write by ``manager`` turned ``live`` into ``changed``."""
    obj = copy.deepcopy(changed)
    obj.setdefault("metadata", {})["managedFields"] = copy.deepcopy(_owners(live))
    before, after = fields_of(live), fields_of(obj)
    touched = {f for f in set(before) | set(after) if before.get(f) != after.get(f)}
    for entry in _owners(obj):
        _store(obj, entry, owned(entry) - touched)
    mine = _entry(obj, manager, "Update")
    _store(obj, mine, (owned(mine) | touched) & set(after))
    _prune(obj)
    return obj
