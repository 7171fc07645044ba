"""An ed25519 SSH deploy key, generated here, whose private half only ever goes to Vault."""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

__all__ = ["DeployKey", "generate", "public_of"]


@dataclass(frozen=True)
class DeployKey:
    # OpenSSH private key (PEM-like text); kept out of repr so it never reaches a log.
    private: str = field(repr=False)
    public: str


def generate(comment: str) -> DeployKey:
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    ).decode()
    return DeployKey(private, public_of(private, comment))


def public_of(private: str, comment: str = "") -> str:
    """The ``ssh-ed25519 AAAA… comment`` line of an OpenSSH private key."""
    key = serialization.load_ssh_private_key(private.encode(), password=None)
    line = (
        key.public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode()
    )
    return f"{line} {comment}".strip()


def same_key(one: str, other: str) -> bool:
    """Whether two public key lines name the same key (comments aside)."""
    return one.split()[:2] == other.split()[:2]
