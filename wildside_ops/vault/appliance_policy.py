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
    """Least privilege for the action's AppRole (see its README).

    Vault reads ``*`` as a wildcard only at the end of a path, so every rule
    ends in one rather than carrying it mid-path.
    """
    kv, approle, prefix = kv_mount, approle_mount, SECRET_PREFIX
    return f"""\
# Read the run's secrets; write the kubeconfig (a new version only when it changed).
path "{kv}/data/{prefix}/*" {{ capabilities = ["read", "create", "update"] }}

# The cluster's ESO policy ({prefix}-<cluster>-eso), shared by both login methods.
path "sys/policies/acl/{prefix}-*" {{ capabilities = ["read", "create", "update"] }}

# auth = "kubernetes" (the default): one auth mount per cluster (kubernetes-<cluster>).
path "sys/auth" {{ capabilities = ["read"] }}
path "sys/auth/kubernetes-*" {{ capabilities = ["update", "sudo"] }}
path "auth/kubernetes-*" {{ capabilities = ["read", "create", "update"] }}

# auth = "approle": the cluster's own role ({prefix}-<cluster>-eso) on the AppRole mount:
# the role, its role ID, minting, looking up, listing and destroying its secret IDs.
path "auth/{approle}/role/{prefix}-*" {{ capabilities = ["read", "create", "update", "list"] }}
"""


def snapshot_policy(kv_mount: str, credentials_path: str) -> str:
    """The appliance's snapshot timer: one snapshot read, one key pair read."""
    return f"""\
path "sys/storage/raft/snapshot" {{ capabilities = ["read"] }}
path "{kv_mount}/data/{credentials_path}" {{ capabilities = ["read"] }}
"""
