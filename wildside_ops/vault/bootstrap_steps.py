"""Each piece of a bootstrapped Vault, checked and (unless checking only) repaired.

Every ``ensure_*`` reads first and writes only what differs, returning one
line per drift found (names and field names, never values). With
``apply=False`` nothing is written: the lines are the ``--check`` report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import hvac
from hvac.exceptions import InvalidPath

from wildside_constructs.vault_appliance.settings import BootstrapSettings, SnapshotSettings
from wildside_ops.vault.appliance_policy import SNAPSHOT_ROLE, ci_policy, snapshot_policy

AUDIT_PATH = "file"
_UNITS = {"s": 1, "m": 60, "h": 3600}


class BootstrapConflict(Exception):
    """Vault holds something of another kind where the bootstrap wants its own."""


def seconds(duration: str) -> int:
    return int(duration[:-1]) * _UNITS[duration[-1]]


def _table(body: Any) -> dict[str, Any]:
    data = body.get("data") if isinstance(body, dict) else None
    table = data if isinstance(data, dict) else body
    return table if isinstance(table, dict) else {}


@dataclass
class Steps:
    client: hvac.Client
    settings: BootstrapSettings
    snapshot: SnapshotSettings | None
    apply: bool

    def all(self) -> list[str]:
        drift = self.audit()
        drift += self.kv_mount()
        drift += self.approle_mount()
        drift += self.policies()
        drift += self.roles()
        return drift

    def audit(self) -> list[str]:
        wanted = self.settings.audit_file
        entry = _table(self.client.sys.list_enabled_audit_devices()).get(f"{AUDIT_PATH}/")
        options = (entry or {}).get("options") or {}
        if entry and entry.get("type") == "file" and options.get("file_path") == wanted:
            return []
        if self.apply:
            if entry:
                # A device cannot be re-pointed in place; its old log stays on disk.
                self.client.sys.disable_audit_device(path=AUDIT_PATH)
            self.client.sys.enable_audit_device(
                device_type="file", path=AUDIT_PATH, options={"file_path": wanted}
            )
        return [f"audit device {AUDIT_PATH}/ ({'changed' if entry else 'missing'})"]

    def kv_mount(self) -> list[str]:
        mount = self.settings.kv_mount
        entry = _table(self.client.sys.list_mounted_secrets_engines()).get(f"{mount}/")
        if entry is None:
            if self.apply:
                self.client.sys.enable_secrets_engine(
                    backend_type="kv", path=mount, options={"version": "2"}
                )
            return [f"KV v2 mount {mount}/ (missing)"]
        if entry.get("type") != "kv":
            raise BootstrapConflict(
                f"{mount}/ is a {entry.get('type')} engine, not KV; choose another "
                "vault_appliance.bootstrap.kv_mount or move that engine"
            )
        if str((entry.get("options") or {}).get("version")) == "2":
            return []
        if self.apply:
            # Vault upgrades a KV v1 mount to v2 in place, keeping its data.
            self.client.sys.tune_mount_configuration(path=mount, options={"version": "2"})
        return [f"KV mount {mount}/ (version 1, not 2)"]

    def approle_mount(self) -> list[str]:
        mount = self.settings.approle_mount
        entry = _table(self.client.sys.list_auth_methods()).get(f"{mount}/")
        if entry is not None:
            if entry.get("type") != "approle":
                raise BootstrapConflict(
                    f"auth/{mount}/ is a {entry.get('type')} method, not approle; choose another "
                    "vault_appliance.bootstrap.approle_mount"
                )
            return []
        if self.apply:
            self.client.sys.enable_auth_method(method_type="approle", path=mount)
        return [f"auth method approle at auth/{mount}/ (missing)"]

    def _wanted_policies(self) -> dict[str, str]:
        s = self.settings
        wanted = {s.role_name: ci_policy(s.kv_mount, s.approle_mount)}
        if self.snapshot is not None:
            wanted[SNAPSHOT_ROLE] = snapshot_policy(s.kv_mount, self.snapshot.credentials_path)
        return wanted

    def policies(self) -> list[str]:
        drift: list[str] = []
        for name, text in self._wanted_policies().items():
            try:
                current = _table(self.client.sys.read_acl_policy(name)).get("policy")
            except InvalidPath:
                current = None
            if isinstance(current, str) and current.strip() == text.strip():
                continue
            if self.apply:
                self.client.sys.create_or_update_acl_policy(name=name, policy=text)
            drift.append(f"policy {name} ({'changed' if current is not None else 'missing'})")
        return drift

    def _wanted_roles(self) -> dict[str, dict[str, Any]]:
        s = self.settings
        roles: dict[str, dict[str, Any]] = {
            s.role_name: {
                "token_policies": [s.role_name],
                "token_ttl": seconds(s.token_ttl),
                "token_max_ttl": seconds(s.token_max_ttl),
                "secret_id_ttl": seconds(s.secret_id_ttl),
            }
        }
        if self.snapshot is not None:
            roles[SNAPSHOT_ROLE] = {
                "token_policies": [SNAPSHOT_ROLE],
                "token_ttl": 900,
                "token_max_ttl": 900,
                "secret_id_ttl": 0,
            }
        return roles

    def roles(self) -> list[str]:
        drift: list[str] = []
        mount = self.settings.approle_mount
        for name, wanted in self._wanted_roles().items():
            try:
                current = _table(self.client.auth.approle.read_role(name, mount_point=mount))
            except InvalidPath:
                current = None
            differs = [key for key, value in wanted.items() if _same(current, key, value) is False]
            if current is not None and not differs:
                continue
            if self.apply:
                # Through the adapter: hvac's helper joins token_policies into one
                # string, which Vault would split again; the JSON list is unambiguous.
                self.client.adapter.post(f"/v1/auth/{mount}/role/{name}", json=wanted)
            what = f"differs: {', '.join(differs)}" if current is not None else "missing"
            drift.append(f"AppRole role {name} ({what})")
        return drift


def _same(current: dict[str, Any] | None, key: str, value: Any) -> bool:
    if current is None:
        return False
    found = current.get(key)
    if isinstance(value, list):
        return sorted(map(str, found or [])) == sorted(map(str, value))
    return str(found) == str(value)
