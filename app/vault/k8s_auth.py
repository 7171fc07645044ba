"""Let a cluster's External Secrets Operator log in to Vault as itself.

ESO authenticates with its service-account token against a per-cluster
``kubernetes`` auth mount, so no static Vault credential is stored in Git or in
the cluster. Everything here is idempotent: each object is read first and
written only when it differs, so a rerun with the same inputs writes nothing.

The names both sides must agree on (``auth_mount(cluster)``, ``ESO_ROLE``,
``ESO_SERVICE_ACCOUNT`` in ``ESO_NAMESPACE``, ``policy_name(cluster)``) live in
``wildside_constructs.props.vault``, which also renders the ClusterSecretStore
that logs in here, so the Vault set-up and the cluster cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from app.vault.catalogue import SECRET_PREFIX, check_cluster_name, ci_only_paths
from app.vault.client import VaultClient
from app.vault.errors import VaultConfigError, VaultMountConflict, VaultRequestFailed
from wildside_constructs.props.vault import (
    AUTH_MOUNT_PREFIX,
    ESO_NAMESPACE,
    ESO_ROLE,
    ESO_SERVICE_ACCOUNT,
    auth_mount,
    policy_name,
)

# The names from props.vault are part of this module's interface, as before they moved.
__all__ = [
    "AUTH_METHOD_TYPE",
    "AUTH_MOUNT_PREFIX",
    "ESO_NAMESPACE",
    "ESO_ROLE",
    "ESO_SERVICE_ACCOUNT",
    "ESO_TOKEN_MAX_TTL_SECONDS",
    "ESO_TOKEN_TTL_SECONDS",
    "auth_mount",
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
    ``denied_paths`` defaults to the default catalogue's CI-only paths; with
    catalogue overrides, pass ``catalogue.ci_only_paths(cluster, overrides, ...)``.
    Vault versions whose config read lacks ``token_reviewer_jwt_set`` see a
    given reviewer JWT as new on every run.
    """
    # Checked here first so a bad name is a VaultConfigError like every other.
    mount = auth_mount(check_cluster_name(cluster))
    if not kubernetes_host.startswith("https://"):
        raise VaultConfigError(f"kubernetes_host {kubernetes_host!r} must be an https:// URL")
    if token_reviewer_jwt is not None:
        vault.remember_secret(token_reviewer_jwt)
    kv = kv_mount or vault.kv_mount
    denied = ci_only_paths(cluster) if denied_paths is None else list(denied_paths)
    changes: list[str] = []
    changes += _ensure_mount(vault, mount)
    wanted_config = {"kubernetes_host": kubernetes_host, "kubernetes_ca_cert": kubernetes_ca_cert}
    changes += _ensure_config(
        vault, mount, wanted_config, token_reviewer_jwt, rotate=rotate_reviewer_jwt
    )
    changes += _ensure_policy(vault, policy_name(cluster), eso_policy(cluster, kv, denied))
    changes += _ensure_role(vault, mount, eso_role(cluster))
    return changes


def _auth_methods(vault: VaultClient) -> dict[str, Any]:
    body = vault.read("sys/auth", action="list auth methods", capability="read,sudo") or {}
    # Vault returns the table under "data" and, for old clients, at the top too.
    table = body.get("data")
    return table if isinstance(table, dict) else body


def _mount_type(vault: VaultClient, mount: str) -> str | None:
    entry = _auth_methods(vault).get(f"{mount}/")
    return str(entry.get("type")) if isinstance(entry, dict) else None


def _ensure_mount(vault: VaultClient, mount: str) -> list[str]:
    found = _mount_type(vault, mount)
    if found == AUTH_METHOD_TYPE:
        return []
    if found is not None:
        raise VaultMountConflict(f"auth/{mount}", AUTH_METHOD_TYPE, found)
    try:
        vault.write(
            f"sys/auth/{mount}",
            {
                "type": AUTH_METHOD_TYPE,
                "description": f"wildside: External Secrets Operator on {mount}",
            },
            action=f"enable the kubernetes auth method at auth/{mount}",
            capability="create,update,sudo",
        )
    except VaultRequestFailed as exc:
        # A retried enable whose first attempt landed reports "already in use".
        if exc.status != 400 or _mount_type(vault, mount) != AUTH_METHOD_TYPE:
            raise
    return [f"enabled auth method {AUTH_METHOD_TYPE} at auth/{mount}/"]


def _ensure_config(
    vault: VaultClient,
    mount: str,
    wanted: Mapping[str, str],
    reviewer_jwt: str | None,
    *,
    rotate: bool,
) -> list[str]:
    api_path = f"auth/{mount}/config"
    current = _data(vault.read(api_path, action=f"read {api_path}"))
    differs = [name for name in _CONFIG_FIELDS if _text(current.get(name)) != _text(wanted[name])]
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


def _ensure_policy(vault: VaultClient, name: str, text: str) -> list[str]:
    api_path = f"sys/policies/acl/{name}"
    data = _data(vault.read(api_path, action=f"read policy {name}"))
    if _text(data.get("policy")) == _text(text):
        return []
    vault.write(
        api_path,
        {"policy": text},
        action=f"write policy {name}",
        capability="create,update",
        method="put",
    )
    return [f"wrote policy {name}"]


def _ensure_role(vault: VaultClient, mount: str, wanted: Mapping[str, Any]) -> list[str]:
    api_path = f"auth/{mount}/role/{ESO_ROLE}"
    current = _data(vault.read(api_path, action=f"read role {api_path}"))
    differs = [name for name, value in wanted.items() if _norm(current.get(name)) != _norm(value)]
    if not differs:
        return []
    vault.write(api_path, wanted, action=f"write role {api_path}", capability="create,update")
    return [f"wrote role {api_path} ({', '.join(differs)})"]


def _data(body: dict[str, Any] | None) -> dict[str, Any]:
    """The ``data`` object of a Vault response ({} for none)."""
    data = (body or {}).get("data")
    return data if isinstance(data, dict) else {}


def _text(value: object) -> str:
    # Vault may add or drop a trailing newline on PEM and HCL; that is no change.
    return value.strip() if isinstance(value, str) else ""


def _norm(value: object) -> object:
    if isinstance(value, list | tuple):
        return sorted(str(v) for v in value)
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value
