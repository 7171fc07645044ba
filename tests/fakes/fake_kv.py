"""KV version 2 for the fake Vault: versions, check-and-set, soft deletes.

Mirrors ``vault-plugin-secrets-kv`` (path_data.go) where the client depends
on it: a read of a version that does not exist is a 404 with no body, while
a read of a soft-deleted version is a 404 whose body still carries the
version's metadata (``deletion_time`` set), which is what lets a writer learn
the version to check-and-set against; ``cas`` must equal the current version
number, deleted or not (0: the path must have no versions at all).
"""

from __future__ import annotations

import copy
import datetime
from dataclasses import dataclass, field
from typing import Any

Reply = tuple[int, dict[str, Any] | None]
# One version: its data, or None once soft-deleted.
Versions = list[dict[str, Any] | None]
_EPOCH = "2026-01-01T00:00:00Z"


def _errors(*messages: str) -> dict[str, Any]:
    return {"errors": list(messages)}


@dataclass
class KvStore:
    data: dict[tuple[str, str], Versions] = field(default_factory=dict)
    deleted_at: dict[tuple[str, str, int], str] = field(default_factory=dict)

    def exists(self, mount: str, rest: str) -> bool:
        """dataExistenceCheck: a path with any version (even deleted) makes a write an update."""
        kind, _, path = rest.partition("/")
        return kind == "data" and bool(self.data.get((mount, path)))

    def soft_delete(self, mount: str, path: str) -> None:
        versions = self.data[(mount, path)]
        versions[-1] = None
        stamp = datetime.datetime.now(datetime.UTC).isoformat().replace("+00:00", "Z")
        self.deleted_at[(mount, path, len(versions))] = stamp

    def handle(
        self, method: str, mount: str, rest: str, body: dict[str, Any], version: int
    ) -> Reply:
        kind, _, path = rest.partition("/")
        if kind != "data" or not path:
            return 404, _errors(f"no handler for route '{mount}/{rest}'")
        if method == "GET":
            return self._read(mount, path, version)
        if method in ("POST", "PUT"):
            return self._write(mount, path, body)
        return 405, _errors("unsupported operation")

    def _read(self, mount: str, path: str, version: int) -> Reply:
        versions = self.data.get((mount, path), [])
        number = version or len(versions)
        if not versions or number > len(versions):
            return 404, _errors()
        meta = {
            "created_time": _EPOCH,
            "custom_metadata": None,
            "deletion_time": "",
            "destroyed": False,
            "version": number,
        }
        stored = versions[number - 1]
        if stored is None:
            meta["deletion_time"] = self.deleted_at.get((mount, path, number), _EPOCH)
            return 404, {"data": {"data": None, "metadata": meta}}
        return 200, {"data": {"data": copy.deepcopy(stored), "metadata": meta}}

    def _write(self, mount: str, path: str, body: dict[str, Any]) -> Reply:
        versions = self.data.setdefault((mount, path), [])
        cas = (body.get("options") or {}).get("cas")
        data = body.get("data")
        if cas is not None and cas != len(versions):
            return 400, _errors("check-and-set parameter did not match the current version")
        if not isinstance(data, dict):
            return 400, _errors("no data provided")
        versions.append(copy.deepcopy(data))
        meta = {"created_time": _EPOCH, "deletion_time": "", "destroyed": False}
        return 200, {"data": {**meta, "version": len(versions)}}
