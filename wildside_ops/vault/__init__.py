"""Secrets from HashiCorp Vault for unattended CI runs.

``VaultClient.login`` authenticates with AppRole; ``read_cluster_secrets`` fetches the
run's secrets (masked for GitHub Actions); ``write_kubeconfig`` stores the new
cluster's kubeconfig; ``k8s_auth.ensure_kubernetes_auth`` lets the cluster's
External Secrets Operator log in with its service account.
"""

from wildside_ops.vault.client import KvSecret, VaultClient
from wildside_ops.vault.errors import (
    VaultCasConflict,
    VaultConfigError,
    VaultError,
    VaultKeyMissing,
    VaultLoginDenied,
    VaultMountConflict,
    VaultObjectGone,
    VaultPathMissing,
    VaultPermissionDenied,
    VaultRequestFailed,
    VaultSealed,
    VaultTlsError,
    VaultUnavailable,
    VaultUnreachable,
    VaultValueInvalid,
)
from wildside_ops.vault.secret_paths import SECRET_PATHS, SecretRef, parse_ref, resolve
from wildside_ops.vault.settings import VaultSettings

__all__ = [
    "SECRET_PATHS",
    "KvSecret",
    "SecretRef",
    "VaultCasConflict",
    "VaultClient",
    "VaultConfigError",
    "VaultError",
    "VaultKeyMissing",
    "VaultLoginDenied",
    "VaultMountConflict",
    "VaultObjectGone",
    "VaultPathMissing",
    "VaultPermissionDenied",
    "VaultRequestFailed",
    "VaultSealed",
    "VaultSettings",
    "VaultTlsError",
    "VaultUnavailable",
    "VaultUnreachable",
    "VaultValueInvalid",
    "parse_ref",
    "resolve",
]
