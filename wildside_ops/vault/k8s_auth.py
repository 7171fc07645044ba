"""Let a cluster's External Secrets Operator log in to Vault as itself.

ESO authenticates with its service-account token against a per-cluster
``kubernetes`` auth mount, so no static Vault credential is stored in Git or in
the cluster. Everything here is idempotent: each object is read first and
written only when it differs, so a rerun with the same inputs writes nothing.

The names both sides must agree on (``auth_mount(cluster)``, ``ESO_ROLE``,
``ESO_SERVICE_ACCOUNT`` in ``ESO_NAMESPACE``, ``policy_name(cluster)``) live in
``wildside_constructs.settings.vault``, which also renders the ClusterSecretStore
that logs in here, so the Vault set-up and the cluster cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from wildside_constructs.settings.vault import (
    AUTH_MOUNT_PREFIX,
    ESO_NAMESPACE,
    ESO_ROLE,
    ESO_SERVICE_ACCOUNT,
    auth_mount,
    policy_name,
)
from wildside_ops.vault.client import VaultClient
from wildside_ops.vault.ensure import (
    ensure_auth_mount,
    ensure_policy,
    ensure_role,
    plain_text,
    response_data,
)
from wildside_ops.vault.errors import VaultConfigError
from wildside_ops.vault.secret_paths import SECRET_PREFIX, check_cluster_name, ci_only_paths

# The names from settings.vault are part of this module's interface, as before they moved.
__all__ = [
    "AUTH_METHOD_TYPE",
    "AUTH_MOUNT_PREFIX",
    "ESO_NAMESPACE",
    "ESO_ROLE",
    "ESO_SERVICE_ACCOUNT",
    "ESO_TOKEN_MAX_TTL_SECONDS",
    "ESO_TOKEN_TTL_SECONDS",
    "auth_mount",
    "ensure_eso_policy",
    "ensure_kubernetes_auth",
    "eso_policy",
    "eso_role",
    "policy_name",
]

AUTH_METHOD_TYPE = "kubernetes"
# ESO logs in again whenever its token expires, so short lifetimes cost little
# and bound how long a stolen token stays useful.
ESO_TOKEN_TTL_SECONDS = 900
ESO_TOKEN_MAX_TTL_SECONDS = 3600

_MOUNT = re.compile(r"^[A-Za-z0-9_.-]+$")
_CONFIG_FIELDS = ("kubernetes_host", "kubernetes_ca_cert")


def eso_policy(cluster: str, kv_mount: str, denied_paths: Iterable[str] = ()) -> str:
    """Read-only access to ``<kv>/…/wildside/<cluster>/*``, minus the CI-only paths."""
    check_cluster_name(cluster)
    if not _MOUNT.match(kv_mount):
        raise VaultConfigError(f"KV mount {kv_mount!r} cannot be used in a policy path")
    prefix = f"{SECRET_PREFIX}/{cluster}"
    blocks = [
        f"# Managed by wildside-infra-k8s: External Secrets Operator on cluster {cluster}\n"
        "# reads the cluster's own secrets and nothing else.",
        _stanza(f"{kv_mount}/data/{prefix}/*", "read"),
        _stanza(f"{kv_mount}/metadata/{prefix}/*", "read", "list"),
    ]
    denied = sorted(set(denied_paths))
    for path in denied:
        if not path.startswith(f"{prefix}/") or not re.fullmatch(r"[A-Za-z0-9_./-]+", path):
            raise VaultConfigError(f"denied path {path!r} is not a plain path under {prefix}/")
    # An exact path outranks the glob above, so these stay out of reach even
    # though they share the cluster's prefix.
    for path in denied:
        blocks.append(_stanza(f"{kv_mount}/data/{path}", "deny"))
        blocks.append(_stanza(f"{kv_mount}/metadata/{path}", "deny"))
    if denied:
        blocks[3] = f"# Credentials only CI may read.\n{blocks[3]}"
    return "\n\n".join(blocks) + "\n"


def ensure_eso_policy(
    vault: VaultClient,
    cluster: str,
    *,
    kv_mount: str | None = None,
    denied_paths: Iterable[str] | None = None,
) -> list[str]:
    """Write ``cluster``'s read-only ESO policy when it differs; either login method binds it.

    ``denied_paths`` defaults to the default secret paths' CI-only paths.
    """
    kv = kv_mount or vault.kv_mount
    denied = ci_only_paths(cluster) if denied_paths is None else list(denied_paths)
    return ensure_policy(vault, policy_name(cluster), eso_policy(cluster, kv, denied))


def _stanza(path: str, *capabilities: str) -> str:
    caps = ", ".join(f'"{c}"' for c in capabilities)
    return f'path "{path}" {{\n  capabilities = [{caps}]\n}}'


def eso_role(cluster: str) -> dict[str, Any]:
    """The role body, in the normalised form Vault returns on read."""
    return {
        "bound_service_account_names": [ESO_SERVICE_ACCOUNT],
        "bound_service_account_namespaces": [ESO_NAMESPACE],
        "token_policies": [policy_name(cluster)],
        "token_ttl": ESO_TOKEN_TTL_SECONDS,
        "token_max_ttl": ESO_TOKEN_MAX_TTL_SECONDS,
    }


def ensure_kubernetes_auth(
    vault: VaultClient,
    cluster: str,
    kubernetes_host: str,
    kubernetes_ca_cert: str,
    token_reviewer_jwt: str | None = None,
    *,
    kv_mount: str | None = None,
    denied_paths: Iterable[str] | None = None,
    rotate_reviewer_jwt: bool = False,
) -> list[str]:
    """Set up Kubernetes auth for ``cluster``; return what changed (empty: nothing).

    Without ``token_reviewer_jwt`` Vault reviews each login with the logging-in
    token itself, so ESO's service account then needs ``system:auth-delegator``.
    Vault never returns a stored reviewer JWT, so one already set is only
    replaced when another config field changes or ``rotate_reviewer_jwt`` is set.
    ``denied_paths`` defaults to the default secret paths' CI-only paths; with
    secret path overrides, pass ``secret_paths.ci_only_paths(cluster, overrides, ...)``.
    Vault versions whose config read lacks ``token_reviewer_jwt_set`` see a
    given reviewer JWT as new on every run.
    """
    # Checked here first so a bad name is a VaultConfigError like every other.
    mount = auth_mount(check_cluster_name(cluster))
    if not kubernetes_host.startswith("https://"):
        raise VaultConfigError(f"kubernetes_host {kubernetes_host!r} must be an https:// URL")
    if token_reviewer_jwt is not None:
        vault.remember_secret(token_reviewer_jwt)
    changes: list[str] = []
    changes += ensure_auth_mount(
        vault, mount, AUTH_METHOD_TYPE, f"wildside: External Secrets Operator on {mount}"
    )
    wanted_config = {"kubernetes_host": kubernetes_host, "kubernetes_ca_cert": kubernetes_ca_cert}
    changes += _ensure_config(
        vault, mount, wanted_config, token_reviewer_jwt, rotate=rotate_reviewer_jwt
    )
    changes += ensure_eso_policy(vault, cluster, kv_mount=kv_mount, denied_paths=denied_paths)
    changes += ensure_role(vault, f"auth/{mount}/role/{ESO_ROLE}", eso_role(cluster))
    return changes


def _ensure_config(
    vault: VaultClient,
    mount: str,
    wanted: Mapping[str, str],
    reviewer_jwt: str | None,
    *,
    rotate: bool,
) -> list[str]:
    api_path = f"auth/{mount}/config"
    current = response_data(vault.read(api_path, action=f"read {api_path}"))
    differs = [
        name for name in _CONFIG_FIELDS if plain_text(current.get(name)) != plain_text(wanted[name])
    ]
    if bool(current.get("token_reviewer_jwt_set")) != (reviewer_jwt is not None):
        differs.append("token_reviewer_jwt")
    elif reviewer_jwt is not None and rotate:
        differs.append("token_reviewer_jwt (rotated)")
    if not differs:
        return []
    body: dict[str, Any] = dict(wanted)
    if reviewer_jwt is not None:
        body["token_reviewer_jwt"] = reviewer_jwt
    vault.write(api_path, body, action=f"configure {api_path}", capability="create,update")
    # Field names only: the JWT itself never reaches the report or the log.
    return [f"configured {api_path} ({', '.join(differs)})"]
