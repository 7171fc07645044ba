"""Read-compare-write helpers shared by the Vault set-up for the cluster's ESO.

Each helper reads the object first and writes only when it differs, so a
rerun with the same inputs writes nothing, and returns a short description of
each change (names and field names only, never values) for the run's log.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wildside_ops.vault.client import VaultClient
from wildside_ops.vault.errors import VaultMountConflict, VaultRequestFailed


def auth_methods(vault: VaultClient) -> dict[str, Any]:
    body = vault.read("sys/auth", action="list auth methods", capability="read") or {}
    # Vault returns the table under "data" and, for old clients, at the top too.
    table = body.get("data")
    return table if isinstance(table, dict) else body


def mount_type(vault: VaultClient, mount: str) -> str | None:
    entry = auth_methods(vault).get(f"{mount}/")
    return str(entry.get("type")) if isinstance(entry, dict) else None


def ensure_auth_mount(vault: VaultClient, mount: str, kind: str, description: str) -> list[str]:
    """Enable auth method ``kind`` at ``auth/<mount>``; refuse a mount of another type."""
    found = mount_type(vault, mount)
    if found == kind:
        return []
    if found is not None:
        raise VaultMountConflict(f"auth/{mount}", kind, found)
    try:
        vault.write(
            f"sys/auth/{mount}",
            {"type": kind, "description": description},
            action=f"enable the {kind} auth method at auth/{mount}",
            capability="create,update,sudo",
        )
    except VaultRequestFailed as exc:
        # A retried enable whose first attempt landed reports "already in use".
        if exc.status != 400 or mount_type(vault, mount) != kind:
            raise
    return [f"enabled auth method {kind} at auth/{mount}/"]


def ensure_policy(vault: VaultClient, name: str, text: str) -> list[str]:
    api_path = f"sys/policies/acl/{name}"
    data = response_data(vault.read(api_path, action=f"read policy {name}"))
    if plain_text(data.get("policy")) == plain_text(text):
        return []
    vault.write(
        api_path,
        {"policy": text},
        action=f"write policy {name}",
        capability="create,update",
        method="put",
    )
    return [f"wrote policy {name}"]


def ensure_role(vault: VaultClient, api_path: str, wanted: Mapping[str, Any]) -> list[str]:
    """Write the role at ``api_path`` when any wanted field differs from what Vault holds."""
    current = response_data(vault.read(api_path, action=f"read role {api_path}"))
    differs = [
        name for name, value in wanted.items() if normalised(current.get(name)) != normalised(value)
    ]
    if not differs:
        return []
    vault.write(api_path, wanted, action=f"write role {api_path}", capability="create,update")
    return [f"wrote role {api_path} ({', '.join(differs)})"]


def response_data(body: dict[str, Any] | None) -> dict[str, Any]:
    """The ``data`` object of a Vault response ({} for none)."""
    data = (body or {}).get("data")
    return data if isinstance(data, dict) else {}


def plain_text(value: object) -> str:
    # Vault may add or drop a trailing newline on PEM and HCL; that is no change.
    return value.strip() if isinstance(value, str) else ""


def normalised(value: object) -> object:
    """A role field as comparable: lists as sorted strings, digit strings as numbers."""
    if isinstance(value, list | tuple):
        return sorted(str(v) for v in value)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value
