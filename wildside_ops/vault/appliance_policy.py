"""The policies ``wildside vault bootstrap`` writes, as text built from the secret paths.

CI's policy is exactly the one the wildside-infra-k8s action's README documents
(a test keeps the two identical): the secret paths' under
``<kv>/data/wildside/`` and the Vault objects deploy configures for each
cluster's External Secrets, and nothing else. The snapshot policy lets the
appliance's timer take a Raft snapshot and read the Spaces key pair only.
"""

from __future__ import annotations

from wildside_ops.vault.secret_paths import SECRET_PREFIX

SNAPSHOT_ROLE = "wildside-raft-snapshot"


def ci_policy(kv_mount: str, approle_mount: str) -> str:
    """Least privilege for the action's AppRole (see its README)."""
    kv, approle, prefix = kv_mount, approle_mount, SECRET_PREFIX
    eso = f"auth/{approle}/role/{prefix}-*-eso"
    return f"""\
# Read the run's secrets; write the kubeconfig (a new version only when it changed).
path "{kv}/data/{prefix}/*" {{ capabilities = ["read", "create", "update"] }}
path "{kv}/metadata/{prefix}/*" {{ capabilities = ["read"] }}

# The cluster's ESO policy, shared by both login methods.
path "sys/policies/acl/{prefix}-*-eso" {{ capabilities = ["read", "create", "update"] }}

# auth = "kubernetes" (the default): one auth mount per cluster.
path "sys/auth" {{ capabilities = ["read", "sudo"] }}
path "sys/auth/kubernetes-*" {{ capabilities = ["create", "update", "sudo"] }}
path "auth/kubernetes-*/config" {{ capabilities = ["read", "create", "update"] }}
path "auth/kubernetes-*/role/external-secrets" {{ capabilities = ["read", "create", "update"] }}

# auth = "approle": the cluster's own role on the AppRole mount.
path "{eso}" {{ capabilities = ["read", "create", "update"] }}
path "{eso}/role-id" {{ capabilities = ["read"] }}
path "{eso}/secret-id" {{ capabilities = ["update", "list"] }}
path "{eso}/secret-id/lookup" {{ capabilities = ["update"] }}
path "{eso}/secret-id-accessor/destroy" {{ capabilities = ["update"] }}
"""


def snapshot_policy(kv_mount: str, credentials_path: str) -> str:
    """The appliance's snapshot timer: one snapshot read, one key pair read."""
    return f"""\
path "sys/storage/raft/snapshot" {{ capabilities = ["read"] }}
path "{kv_mount}/data/{credentials_path}" {{ capabilities = ["read"] }}
"""
