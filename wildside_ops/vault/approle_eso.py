"""The AppRole alternative: hand a cluster's ESO its own AppRole secret ID directly.

Where a deployment cannot use Kubernetes auth (``[vault_eso] auth =
"approle"``), ESO logs in with a role ID and secret ID read from a Secret in
its namespace. This module gives each cluster its own role on the AppRole
mount, bound to the same read-only policy as Kubernetes auth would be, and
writes the pair straight into the cluster through ``SecretSink``: it never
passes through Git, the rendered manifests, state or the log.

A rerun changes nothing while the keys this tool applied to the Secret hold
the role's current role ID and a secret ID Vault still accepts with more
than a third of the lifetime Vault granted it left (``RENEW_FRACTION``).
Otherwise a new secret ID is minted and written, and then every other secret
ID of the role destroyed, so at most one per cluster stays live.

Vault caps a secret ID's TTL at the AppRole mount's max lease TTL (768 h, 32
days, unless an operator tuned the mount): ``SECRET_ID_TTL_SECONDS`` (30
days) fits under that default, and the renewal window is measured against
what Vault actually granted, read back from the secret ID's lookup.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from wildside_constructs.settings.vault import (
    ESO_NAMESPACE,
    AppRoleRef,
    approle_role_name,
    policy_name,
)
from wildside_ops.vault.client import VaultClient
from wildside_ops.vault.ensure import ensure_auth_mount, ensure_role, response_data
from wildside_ops.vault.errors import VaultObjectGone, VaultRequestFailed
from wildside_ops.vault.k8s_auth import (
    ESO_TOKEN_MAX_TTL_SECONDS,
    ESO_TOKEN_TTL_SECONDS,
    ensure_eso_policy,
)
from wildside_ops.vault.masking import mask
from wildside_ops.vault.secret_paths import check_cluster_name

AUTH_METHOD_TYPE = "approle"
# A leaked secret ID stops working within this time even if nobody rotates it.
# 30 days fits under Vault's default cap (the mount's max lease TTL, 768 h);
# a mount tuned lower grants less, and the renewal below follows the grant.
SECRET_ID_TTL_SECONDS = 30 * 24 * 3600
# A deploy renews the secret ID once less than this share of its granted
# lifetime remains: with 30 days granted, under 10 days left. A deploy after
# the last one that kept the ID must come before it lapses, so clusters
# deployed at least every 10 days never see their secret ID expire; a deploy
# every few days keeps one ID for about 20 days.
RENEW_FRACTION = 3
MANAGED_BY = "wildside-infra-k8s"
# Vault's answer to destroying an accessor that is already gone (a 500 from
# pathRoleSecretIDAccessorDestroyUpdateDelete in builtin/credential/approle).
_ACCESSOR_GONE = "failed to find accessor entry for secret_id_accessor"
# What "seconds left" means for a secret ID issued without a TTL.
_FOREVER = 1 << 62


class SecretSink(Protocol):
    """Where the pair is kept: a Secret in the cluster (``wildside_ops.kube.KubeSecrets``)."""

    def read(self, namespace: str, name: str) -> dict[str, str] | None:
        """The decoded keys this tool wrote to the Secret; None when there is no Secret.

        Keys others added (another field manager) are not ours to compare.
        """

    def write(self, namespace: str, name: str, data: Mapping[str, str]) -> None:
        """Apply ``data`` as this tool's keys of the Secret (others' keys stay)."""


def eso_approle_role(cluster: str) -> dict[str, Any]:
    """The role body, in the normalised form Vault returns on read."""
    return {
        "token_policies": [policy_name(cluster)],
        "token_ttl": ESO_TOKEN_TTL_SECONDS,
        "token_max_ttl": ESO_TOKEN_MAX_TTL_SECONDS,
        "bind_secret_id": True,
        "secret_id_ttl": SECRET_ID_TTL_SECONDS,
        # ESO logs in again every time its token expires: the ID must be reusable.
        "secret_id_num_uses": 0,
    }


def ensure_eso_approle(
    vault: VaultClient,
    cluster: str,
    ref: AppRoleRef,
    sink: SecretSink,
    *,
    kv_mount: str | None = None,
    denied_paths: Iterable[str] | None = None,
    now: datetime.datetime | None = None,
) -> list[str]:
    """Set up ``cluster``'s AppRole and deliver its pair; return what changed."""
    check_cluster_name(cluster)
    role_path = f"auth/{ref.mount}/role/{approle_role_name(cluster)}"
    changes = ensure_auth_mount(
        vault, ref.mount, AUTH_METHOD_TYPE, "wildside: AppRole logins for CI and clusters"
    )
    changes += ensure_eso_policy(vault, cluster, kv_mount=kv_mount, denied_paths=denied_paths)
    changes += ensure_role(vault, role_path, eso_approle_role(cluster))
    role_id = _role_id(vault, role_path)
    current = sink.read(ESO_NAMESPACE, ref.secret_name)
    previous = (current or {}).get(ref.secret_id_key, "")
    _protect(vault, previous)
    life = _lifetime(vault, role_path, previous, now) if previous else None
    reason = _renewal_reason(ref, current, role_id) or _expiry_reason(life)
    if reason is None:
        return changes
    secret_id, accessor, granted = _mint(vault, role_path, cluster)
    sink.write(
        ESO_NAMESPACE, ref.secret_name, {ref.role_id_key: role_id, ref.secret_id_key: secret_id}
    )
    changes.append(f"wrote Secret {ESO_NAMESPACE}/{ref.secret_name} in the cluster ({reason})")
    if 0 < granted < SECRET_ID_TTL_SECONDS:
        changes.append(
            f"Vault granted the secret ID {_days(granted)}, not {_days(SECRET_ID_TTL_SECONDS)}: "
            f"the max lease TTL of auth/{ref.mount} caps it; renewal follows the grant"
        )
    # Only now that the cluster holds the new ID: retire every other one, so a
    # cluster never has more than one live secret ID (an ID from a Secret
    # deleted by hand included).
    retired = [
        other
        for other in vault.list(
            f"{role_path}/secret-id", action=f"list the secret ID accessors of {role_path}"
        )
        if other != accessor
    ]
    destroyed = sum(_destroy(vault, role_path, other) for other in retired)
    if destroyed:
        changes.append(f"destroyed {destroyed} earlier secret ID(s) of {role_path}")
    return changes


def _destroy(vault: VaultClient, role_path: str, accessor: str) -> bool:
    """Destroy one secret ID by accessor; False when it was already gone.

    Between the LIST and this call, Vault's tidy or a concurrent run may have
    removed it: Vault then answers 500 (or, for some versions, 404), which
    is no fault and not worth a retry.
    """
    try:
        vault.write(
            f"{role_path}/secret-id-accessor/destroy",
            {"secret_id_accessor": accessor},
            action=f"destroy an earlier secret ID of {role_path}",
            capability="update",
            gone_when=_ACCESSOR_GONE,
        )
    except VaultObjectGone:
        return False
    except VaultRequestFailed as exc:
        if exc.status == 404:
            return False
        raise
    return True


def _days(seconds: int) -> str:
    days = seconds / 86400
    return f"{days:.0f} days" if days == int(days) else f"{days:.1f} days"


def _protect(vault: VaultClient, value: str) -> None:
    # Masked before anything could print it, and scrubbed from Vault errors.
    if value:
        mask(value)
        vault.remember_secret(value)


def _role_id(vault: VaultClient, role_path: str) -> str:
    data = response_data(vault.read(f"{role_path}/role-id", action=f"read {role_path}/role-id"))
    role_id = data.get("role_id")
    if not isinstance(role_id, str) or not role_id:
        raise VaultRequestFailed(
            f"read {role_path}/role-id", f"{role_path}/role-id", 200, "Vault returned no role_id"
        )
    # A role ID alone cannot log in, but it is half the pair: treat it as secret.
    _protect(vault, role_id)
    return role_id


def _renewal_reason(ref: AppRoleRef, current: Mapping[str, str] | None, role_id: str) -> str | None:
    """What is wrong with our keys of the Secret as they stand (None: only Vault can tell)."""
    if current is None:
        return "the Secret did not exist"
    if not current.get(ref.secret_id_key):
        return f"the Secret had no {ref.secret_id_key!r} key"
    if current.get(ref.role_id_key) != role_id:
        return f"its {ref.role_id_key!r} was not the role's role ID"
    if set(current) != {ref.role_id_key, ref.secret_id_key}:
        # Only keys this tool applied count: a key we applied under earlier
        # settings is dropped by the next apply, others' keys are left alone.
        return "its keys differed from the store's settings"
    return None


def _expiry_reason(life: tuple[int, int] | None) -> str | None:
    if life is None:
        return "Vault no longer accepted its secret ID"
    left, granted = life
    if left != _FOREVER and left < granted // RENEW_FRACTION:
        return (
            f"its secret ID would expire in {round(left / 86400)} of the "
            f"{_days(granted)} Vault granted"
        )
    return None


def _lifetime(
    vault: VaultClient, role_path: str, secret_id: str, now: datetime.datetime | None
) -> tuple[int, int] | None:
    """(seconds left, seconds granted) for ``secret_id``; None if Vault does not know it.

    The grant is expiration minus creation time, not ``secret_id_ttl``: a
    lookup reports the TTL that was asked for, while the expiration time
    carries the mount's cap (deriveSecretIDTTL in Vault's AppRole backend).
    An ID without expiry has ``_FOREVER`` left.
    """
    try:
        body = vault.write(
            f"{role_path}/secret-id/lookup",
            {"secret_id": secret_id},
            action=f"look up the secret ID in the cluster's Secret ({role_path})",
            capability="update",
        )
    except VaultRequestFailed as exc:
        # Vault answers an unknown ID with an empty 204; a 404 means the same.
        if exc.status == 404:
            return None
        raise
    data = response_data(body)
    if not data:
        return None
    expires = _timestamp(data.get("expiration_time"))
    if not int(data.get("secret_id_ttl") or 0) or (expires is not None and expires.year == 1):
        return _FOREVER, _FOREVER
    created = _timestamp(data.get("creation_time"))
    if expires is None or created is None:
        return None
    moment = now or datetime.datetime.now(datetime.UTC)
    left = int((expires - moment).total_seconds())
    granted = int((expires - created).total_seconds())
    return (left, granted) if left > 0 else None


def _timestamp(value: object) -> datetime.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)


def _mint(vault: VaultClient, role_path: str, cluster: str) -> tuple[str, str, int]:
    """A new secret ID for the role, its accessor, and the TTL Vault granted (0: none)."""
    body = vault.write(
        f"{role_path}/secret-id",
        # Metadata shows up in Vault's audit log and lookups: who issued it, for what.
        {"metadata": json.dumps({"cluster": cluster, "issued_by": MANAGED_BY})},
        action=f"mint a secret ID for {role_path}",
        capability="update",
    )
    data = response_data(body)
    secret_id, accessor = data.get("secret_id"), data.get("secret_id_accessor")
    if not isinstance(secret_id, str) or not secret_id or not isinstance(accessor, str):
        raise VaultRequestFailed(
            f"mint a secret ID for {role_path}",
            f"{role_path}/secret-id",
            200,
            "Vault returned no secret_id and secret_id_accessor",
        )
    _protect(vault, secret_id)
    granted = data.get("secret_id_ttl")
    return secret_id, accessor, granted if isinstance(granted, int) else 0
