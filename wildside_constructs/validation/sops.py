"""What counts as a SOPS-encrypted Secret, shared by the synth rules and ``wildside secrets``.

A Secret may live in Git only when SOPS has encrypted every value it carries:
each ``data``/``stringData`` value is an ``ENC[AES256_GCM,…]`` envelope and the
document carries SOPS metadata (recipients and a MAC over the values), so a
value added in clear after encryption both shows up here and breaks the MAC
when Flux decrypts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = [
    "ENCRYPTED_VALUE",
    "SECRET_FIELDS",
    "age_recipients",
    "has_sops_metadata",
    "is_sops_encrypted",
    "plaintext_fields",
]

# sops' own envelope for one encrypted value (stores/stores.go, aes/cipher.go).
ENCRYPTED_VALUE = re.compile(
    r"^ENC\[AES256_GCM,data:[A-Za-z0-9+/=]*,iv:[^,\]]+,tag:[^,\]]+,type:\w+\]$"
)
SECRET_FIELDS = ("data", "stringData")


def has_sops_metadata(document: Mapping[str, Any]) -> bool:
    """SOPS metadata with a MAC and at least one age recipient."""
    meta = document.get("sops")
    if not isinstance(meta, Mapping):
        return False
    mac = meta.get("mac")
    return isinstance(mac, str) and mac.startswith("ENC[") and bool(age_recipients(document))


def age_recipients(document: Mapping[str, Any]) -> frozenset[str]:
    """The age public keys a SOPS document is encrypted to (empty when none)."""
    meta = document.get("sops")
    if not isinstance(meta, Mapping):
        return frozenset()
    entries = meta.get("age") or []
    if not isinstance(entries, list):
        return frozenset()
    return frozenset(
        str(entry["recipient"])
        for entry in entries
        if isinstance(entry, Mapping) and entry.get("recipient")
    )


def plaintext_fields(document: Mapping[str, Any]) -> list[str]:
    """``data.KEY``/``stringData.KEY`` paths whose value is not an encrypted envelope."""
    found: list[str] = []
    for field in SECRET_FIELDS:
        values = document.get(field)
        if values is None:
            continue
        if not isinstance(values, Mapping):
            found.append(field)
            continue
        for key, value in values.items():
            if not (isinstance(value, str) and ENCRYPTED_VALUE.match(value)):
                found.append(f"{field}.{key}")
    return found


def is_sops_encrypted(document: Mapping[str, Any]) -> bool:
    """Every value encrypted and SOPS metadata present."""
    return has_sops_metadata(document) and not plaintext_fields(document)
