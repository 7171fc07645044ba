"""Reaching Vault from the action's steps: settings from inputs, the CA bundle file.

The AppRole pair reaches each step that logs in through that step's own
``env:`` block, straight from the inputs; it is never exported to GITHUB_ENV,
where every later step of the job (the caller's too) would inherit it.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from pathlib import Path

from wildside_ops.vault import VaultSettings
from wildside_ops.vault.errors import VaultConfigError

CA_FILE = "vault-ca.pem"
_PEM = "-----BEGIN "


def ca_text(value: str) -> str:
    """The PEM text of the ``vault_ca_certificate`` input, given as PEM or base64 PEM."""
    if _PEM in value:
        return value.strip() + "\n"
    try:
        decoded = base64.b64decode("".join(value.split()), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        decoded = ""
    if _PEM not in decoded:
        raise VaultConfigError(
            "vault_ca_certificate is neither PEM (-----BEGIN CERTIFICATE-----...) "
            "nor base64-encoded PEM"
        )
    return decoded.strip() + "\n"


def write_ca_file(value: str, work: Path) -> Path:
    """Write the CA bundle where the hvac client can read it (owner-only, like a key)."""
    path = work / CA_FILE
    work.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(ca_text(value))
    return path


def settings(
    address: str,
    role_id: str,
    secret_id: str,
    ca_file: str,
    environ: Mapping[str, str],
) -> VaultSettings:
    """Vault settings; mounts and namespace may still come from the workflow's variables."""
    return VaultSettings.from_env(
        {
            "VAULT_ADDR": address,
            "VAULT_ROLE_ID": role_id,
            "VAULT_SECRET_ID": secret_id,
            "VAULT_CACERT": ca_file,
            **{
                name: environ[name]
                for name in (
                    "VAULT_NAMESPACE",
                    "WILDSIDE_VAULT_KV_MOUNT",
                    "WILDSIDE_VAULT_APPROLE_MOUNT",
                )
                if environ.get(name)
            },
        }
    )
