"""An ed25519 SSH deploy key, generated here, whose private half only ever goes to Vault.

Where it lives is decided here once: ``wildside gitops bootstrap`` writes it
there, and ``wildside deploy`` / ``wildside action prepare`` read it from there
to hand Flux (gitops.auth = "ssh").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

# The Vault secret's keys are exactly those of Flux's SSH Secret.
from wildside_constructs.cluster.git_ssh import IDENTITY, IDENTITY_PUB, KNOWN_HOSTS

__all__ = [
    "DEPLOY_KEY_PATH",
    "IDENTITY",
    "IDENTITY_PUB",
    "KNOWN_HOSTS",
    "DeployKey",
    "derive_vault_path",
    "generate",
    "public_of",
    "vault_path",
]

# KV v2 path (under the Vault client's KV mount) of a repository's deploy key.
# Outside wildside/<cluster>/, so no cluster's External Secrets Operator can read it.
DEPLOY_KEY_PATH = "wildside/gitops/{owner}/{name}/deploy-key"


def vault_path(owner: str, name: str) -> str:
    return DEPLOY_KEY_PATH.format(owner=owner, name=name)


def derive_vault_path(repository_url: str) -> str | None:
    """The default path for the repository ``repository_url`` names, or None."""
    from wildside_ops.repo_bootstrap.model import BootstrapError, parse_repository

    try:
        return vault_path(*parse_repository(repository_url))
    except BootstrapError:
        return None


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
