"""The AppRole auth backend of the fake Vault: roles, role IDs, secret IDs.

It follows Vault's ``builtin/credential/approle`` (path_role.go, validation.go)
where callers depend on it: a role read returns every field with defaults
filled in and a write merges into the stored role; minting answers the ID and
its accessor; a secret ID's lifetime is capped at the mount's max lease TTL
(``deriveSecretIDTTL``: 768 h unless the mount is tuned) while a lookup still
reports the TTL that was asked for; a lookup of an unknown secret ID is an
empty 204; a missing role or accessor answers with the status each path
really uses (404, 400 or a 500 wrapping the Go error); and a secret ID logs in
only while it has not expired and its role still exists. ``advance`` moves
the clock.
"""

from __future__ import annotations

import copy
import datetime
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

Reply = tuple[int, dict[str, Any] | None]

_ROLE_DEFAULTS: dict[str, Any] = {
    "bind_secret_id": True,
    "local_secret_ids": False,
    "secret_id_bound_cidrs": None,
    "secret_id_num_uses": 0,
    "secret_id_ttl": 0,
    "token_bound_cidrs": [],
    "token_explicit_max_ttl": 0,
    "token_max_ttl": 0,
    "token_no_default_policy": False,
    "token_num_uses": 0,
    "token_period": 0,
    "token_policies": [],
    "token_ttl": 0,
    "token_type": "default",
}


# Vault's system-wide max lease TTL (vault/core.go: maxLeaseTTL = 768h, 32 days).
SYSTEM_MAX_LEASE_TTL = 768 * 3600


def _errors(*messages: str) -> dict[str, Any]:
    return {"errors": list(messages)}


def _internal(message: str) -> Reply:
    # A handler returning a plain Go error: Vault answers 500 with the error
    # wrapped by go-multierror (sdk/logical/response_util.go RespondErrorCommon).
    return 500, _errors(f"1 error occurred:\n\t* {message}\n\n")


def _stamp(moment: datetime.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@dataclass
class SecretIdEntry:
    mount: str
    role: str
    accessor: str
    created: datetime.datetime
    ttl: int  # as asked for (stored, and reported by a lookup)
    metadata: dict[str, str]
    granted: int = 0  # after the mount's cap; decides the expiration time

    def expires(self) -> datetime.datetime | None:
        return self.created + datetime.timedelta(seconds=self.granted) if self.granted else None


@dataclass
class AppRoleBackend:
    roles: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    role_ids: dict[tuple[str, str], str] = field(default_factory=dict)
    secret_ids: dict[str, SecretIdEntry] = field(default_factory=dict)
    offset: datetime.timedelta = field(default_factory=datetime.timedelta)
    # mount -> max lease TTL in seconds, as tuned on sys/auth/<mount>/tune.
    max_lease_ttl: dict[str, int] = field(default_factory=dict)

    def now(self) -> datetime.datetime:
        return datetime.datetime.now(datetime.UTC) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += datetime.timedelta(seconds=seconds)

    def live_secret_ids(self, mount: str, role: str) -> list[str]:
        return [
            secret_id
            for secret_id, entry in self.secret_ids.items()
            if (entry.mount, entry.role) == (mount, role) and self._alive(entry)
        ]

    def _alive(self, entry: SecretIdEntry) -> bool:
        expires = entry.expires()
        return (entry.mount, entry.role) in self.roles and (expires is None or expires > self.now())

    def login(self, mount: str, role_id: str, secret_id: str) -> list[str] | None:
        """The token policies a valid pair logs in with; None when Vault would refuse."""
        entry = self.secret_ids.get(secret_id)
        if entry is None or entry.mount != mount or not self._alive(entry):
            return None
        if self.role_ids.get((mount, entry.role)) != role_id:
            return None
        return list(self.roles[(mount, entry.role)]["token_policies"])

    def handle(self, method: str, mount: str, tail: str, body: dict[str, Any]) -> Reply:
        parts = tail.split("/")
        if len(parts) < 2 or parts[0] != "role":
            return 404, _errors(f"no handler for route auth/{mount}/{tail}")
        role, rest = parts[1], "/".join(parts[2:])
        if not rest:
            return self._role(method, mount, role, body)
        if (mount, role) not in self.roles:
            return _missing_role(method, role, rest)
        return self._role_call(method, mount, role, rest, body)

    def exists(self, mount: str, tail: str) -> bool:
        """The existence check that makes a write "create" or "update" (pathRoleExistenceCheck)."""
        parts = tail.split("/")
        if len(parts) == 2 and parts[0] == "role":
            return (mount, parts[1]) in self.roles
        return True

    def _role_call(
        self, method: str, mount: str, role: str, rest: str, body: dict[str, Any]
    ) -> Reply:
        if rest == "role-id" and method == "GET":
            return 200, {"data": {"role_id": self.role_ids[(mount, role)]}}
        if rest == "secret-id" and method == "LIST":
            keys = [
                e.accessor for e in self.secret_ids.values() if (e.mount, e.role) == (mount, role)
            ]
            return (200, {"data": {"keys": sorted(keys)}}) if keys else (404, _errors())
        if method not in ("POST", "PUT"):
            return 405, _errors("unsupported operation")
        return self._secret_id_call(mount, role, rest, body)

    def _secret_id_call(self, mount: str, role: str, rest: str, body: dict[str, Any]) -> Reply:
        if rest == "secret-id":
            return self._mint(mount, role, body)
        if rest == "secret-id/lookup":
            return self._lookup(mount, role, str(body.get("secret_id", "")))
        if rest == "secret-id/destroy":
            # Unknown IDs are no error here: pathRoleSecretIDDestroyUpdateDelete returns nil, nil.
            entry = self.secret_ids.get(str(body.get("secret_id", "")))
            if entry is not None and (entry.mount, entry.role) == (mount, role):
                del self.secret_ids[str(body["secret_id"])]
            return 204, None
        if rest == "secret-id-accessor/destroy":
            accessor = body.get("secret_id_accessor")
            for secret_id, entry in list(self.secret_ids.items()):
                if (entry.mount, entry.role, entry.accessor) == (mount, role, accessor):
                    del self.secret_ids[secret_id]
                    return 204, None
            # pathRoleSecretIDAccessorDestroyUpdateDelete returns fmt.Errorf (a 500);
            # only the accessor lookup was changed to a 404 (vault PR 12788).
            return _internal(f'failed to find accessor entry for secret_id_accessor: "{accessor}"')
        return 404, _errors(f"no handler for route auth/{mount}/role/{role}/{rest}")

    def _role(self, method: str, mount: str, role: str, body: dict[str, Any]) -> Reply:
        key = (mount, role)
        if method == "GET":
            stored = self.roles.get(key)
            return (
                (200, {"data": copy.deepcopy(stored)}) if stored is not None else (404, _errors())
            )
        if method not in ("POST", "PUT"):
            return 405, _errors("unsupported operation")
        # pathRoleCreateUpdate reads the stored role and changes only the fields given.
        stored = copy.deepcopy(self.roles.get(key, _ROLE_DEFAULTS))
        for name, value in body.items():
            if name not in _ROLE_DEFAULTS:
                return 400, _errors(f"unknown field {name!r}")
            stored[name] = value
        # Vault echoes the deprecated aliases on read.
        stored["policies"] = list(stored["token_policies"])
        stored["period"] = stored["token_period"]
        self.roles[key] = stored
        self.role_ids.setdefault(key, str(uuid.uuid4()))
        return 204, None

    def _mint(self, mount: str, role: str, body: dict[str, Any]) -> Reply:
        metadata = json.loads(body.get("metadata") or "{}")
        asked = int(self.roles[(mount, role)]["secret_id_ttl"])
        secret_id, accessor = str(uuid.uuid4()), str(uuid.uuid4())
        entry = SecretIdEntry(mount, role, accessor, self.now(), asked, metadata)
        entry.granted = self.derive_ttl(mount, asked)
        self.secret_ids[secret_id] = entry
        data = {
            "secret_id": secret_id,
            "secret_id_accessor": accessor,
            # The mint answer reports the derived (capped) TTL, the lookup the stored one.
            "secret_id_ttl": entry.granted,
            "secret_id_num_uses": 0,
        }
        return 200, {"data": data}

    def derive_ttl(self, mount: str, asked: int) -> int:
        """deriveSecretIDTTL (validation.go): below 0 or over the mount's max TTL, the cap."""
        cap = self.max_lease_ttl.get(mount, SYSTEM_MAX_LEASE_TTL)
        return cap if asked < 0 or asked > cap else asked

    def _lookup(self, mount: str, role: str, secret_id: str) -> Reply:
        entry = self.secret_ids.get(secret_id)
        if entry is None or (entry.mount, entry.role) != (mount, role):
            return 204, None
        expires = entry.expires()
        data = {
            "cidr_list": [],
            "creation_time": _stamp(entry.created),
            "expiration_time": _stamp(expires) if expires else "0001-01-01T00:00:00Z",
            "last_updated_time": _stamp(entry.created),
            "metadata": dict(entry.metadata),
            "secret_id_accessor": entry.accessor,
            "secret_id_num_uses": 0,
            "secret_id_ttl": entry.ttl,
            "token_bound_cidrs": [],
        }
        return 200, {"data": data}


def _missing_role(method: str, role: str, rest: str) -> Reply:
    """Each sub-path's own answer for a role that does not exist (path_role.go)."""
    if rest == "role-id" and method == "GET":
        return 404, _errors()  # pathRoleRoleIDRead returns nil, nil: a read of nothing
    if rest in ("secret-id/lookup", "secret-id/destroy", "secret-id-accessor/destroy"):
        return _internal(f'role "{role}" does not exist')  # fmt.Errorf
    # handleRoleSecretIDCommon and pathRoleSecretIDList answer an error response: 400.
    return 400, _errors(f'role "{role}" does not exist')
