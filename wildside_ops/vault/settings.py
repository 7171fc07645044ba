"""How to reach and authenticate to Vault."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from wildside_ops.vault.errors import VaultConfigError

DEFAULT_KV_MOUNT = "secret"
DEFAULT_APPROLE_MOUNT = "approle"


@dataclass(frozen=True)
class VaultSettings:
    """Connection and AppRole credentials.

    ``role_id`` and ``secret_id`` are kept out of ``repr`` so that a settings
    object printed in a traceback or a debug log does not leak them.
    """

    address: str
    role_id: str = field(repr=False)
    secret_id: str = field(repr=False)
    ca_bundle: Path | None = None
    namespace: str | None = None
    kv_mount: str = DEFAULT_KV_MOUNT
    approle_mount: str = DEFAULT_APPROLE_MOUNT
    timeout: float = 10.0
    max_attempts: int = 4
    backoff_base: float = 0.5
    backoff_cap: float = 8.0

    def __post_init__(self) -> None:
        parts = urlsplit(self.address)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise VaultConfigError(
                f"Vault address {self.address!r} must be an http:// or https:// URL with a "
                "host, such as https://vault.example.com:8200 (set VAULT_ADDR)"
            )
        if not self.role_id or not self.secret_id:
            raise VaultConfigError(
                "the AppRole role ID and secret ID must both be set "
                "(VAULT_ROLE_ID and VAULT_SECRET_ID)"
            )
        if self.ca_bundle is not None and not Path(self.ca_bundle).is_file():
            raise VaultConfigError(
                f"CA bundle {str(self.ca_bundle)!r} is not a readable file (set VAULT_CACERT "
                "to the PEM file of the CA that signed Vault's certificate)"
            )
        for name in ("kv_mount", "approle_mount"):
            mount = getattr(self, name)
            if not mount or mount.strip("/") != mount or " " in mount:
                raise VaultConfigError(f"{name} {mount!r} must be a mount path without slashes")
        if self.max_attempts < 1:
            raise VaultConfigError("max_attempts must be at least 1")
        if self.timeout <= 0 or self.backoff_base < 0 or self.backoff_cap < 0:
            raise VaultConfigError("timeout must be positive and backoff settings not negative")

    @property
    def verify(self) -> bool | str:
        """What requests wants for ``verify``: the CA bundle path, else system trust."""
        return str(self.ca_bundle) if self.ca_bundle is not None else True

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> VaultSettings:
        """Read the conventional Vault variables plus the AppRole pair.

        VAULT_ADDR, VAULT_CACERT and VAULT_NAMESPACE mean what they mean to the
        vault CLI; VAULT_ROLE_ID and VAULT_SECRET_ID carry the AppRole pair;
        WILDSIDE_VAULT_KV_MOUNT and WILDSIDE_VAULT_APPROLE_MOUNT move the mounts.
        """
        env = os.environ if environ is None else environ
        missing = [
            name for name in ("VAULT_ADDR", "VAULT_ROLE_ID", "VAULT_SECRET_ID") if not env.get(name)
        ]
        if missing:
            raise VaultConfigError(
                f"{', '.join(missing)} not set: the run needs Vault's address and an AppRole "
                "role ID and secret ID (from the CI secret store)"
            )
        ca_bundle = env.get("VAULT_CACERT") or None
        return cls(
            address=env["VAULT_ADDR"],
            role_id=env["VAULT_ROLE_ID"],
            secret_id=env["VAULT_SECRET_ID"],
            ca_bundle=Path(ca_bundle) if ca_bundle else None,
            namespace=env.get("VAULT_NAMESPACE") or None,
            kv_mount=env.get("WILDSIDE_VAULT_KV_MOUNT") or DEFAULT_KV_MOUNT,
            approle_mount=env.get("WILDSIDE_VAULT_APPROLE_MOUNT") or DEFAULT_APPROLE_MOUNT,
        )
