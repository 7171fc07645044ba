"""The run's Vault client: AppRole login, KV v2 reads and the kubeconfig write."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal, TextIO

from wildside_ops.vault import masking, secret_paths
from wildside_ops.vault.errors import (
    VaultCasConflict,
    VaultKeyMissing,
    VaultPathMissing,
    VaultRequestFailed,
    VaultSealed,
    VaultValueInvalid,
)
from wildside_ops.vault.secret_paths import SecretRef
from wildside_ops.vault.settings import VaultSettings
from wildside_ops.vault.transport import Operation, Transport


@dataclass(frozen=True)
class KvSecret:
    """The latest version of one KV v2 secret."""

    path: str
    data: dict[str, Any]
    version: int


class VaultClient:
    """A logged-in Vault session; build it with ``VaultClient.login``."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport
        self.settings = transport.settings

    @classmethod
    def login(
        cls,
        settings: VaultSettings,
        *,
        check_health: bool = True,
        sleep: Callable[[float], None] = time.sleep,
    ) -> VaultClient:
        """Log in with AppRole; a sealed Vault is reported as such, not as a refusal."""
        transport = Transport(settings, sleep=sleep)
        client = cls(transport)
        try:
            if check_health:
                client.check_health()
            mount = settings.approle_mount
            transport.call(
                Operation("log in with AppRole", f"auth/{mount}/login", "update", login=True),
                lambda: transport.hvac.auth.approle.login(
                    role_id=settings.role_id, secret_id=settings.secret_id, mount_point=mount
                ),
            )
            transport.remember_secret(str(transport.hvac.token))
        except BaseException:
            transport.close()
            raise
        return client

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> VaultClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def kv_mount(self) -> str:
        return self.settings.kv_mount

    def remember_secret(self, value: str) -> None:
        """Keep ``value`` out of any error message this client raises from now on."""
        self._transport.remember_secret(value)

    def check_health(self) -> None:
        """Fail early with ``VaultSealed`` rather than with a puzzling 503 later."""
        hv = self._transport.hvac
        result = self._transport.call(
            Operation("read health status", "sys/health"),
            lambda: hv.sys.read_health_status(method="GET"),
        )
        body = result if isinstance(result, dict) else _json_body(result)
        # An uninitialised Vault also reports itself sealed; name the first step.
        if body.get("initialized") is False:
            raise VaultRequestFailed(
                "read health status",
                "sys/health",
                getattr(result, "status_code", 501),
                "Vault is not initialised; an operator must run vault operator init",
            )
        if body.get("sealed") is True:
            raise VaultSealed(self.settings.address)

    # KV version 2

    def read_kv(self, path: str, *, mount: str | None = None) -> KvSecret:
        """Read the latest version; ``VaultPathMissing`` if there is none.

        A soft-deleted latest version is missing too, but the error carries
        its number (``deleted_version``) so that a writer can check-and-set
        against it: Vault's 404 for it still holds the version's metadata,
        which hvac returns when ``raise_on_deleted_version`` is off.
        """
        mount = mount or self.kv_mount
        hv = self._transport.hvac
        op = Operation(f"read secret {mount}/{path}", f"{mount}/data/{path}", kv=(mount, path))
        response = self._transport.call(
            op,
            lambda: hv.secrets.kv.v2.read_secret_version(
                path=path, mount_point=mount, raise_on_deleted_version=False
            ),
        )
        payload = response.get("data") if isinstance(response, dict) else None
        data = payload.get("data") if isinstance(payload, dict) else None
        metadata = payload.get("metadata") if isinstance(payload, dict) else None
        version = metadata.get("version") if isinstance(metadata, dict) else None
        version = version if isinstance(version, int) else 0
        if not isinstance(data, dict):
            raise VaultPathMissing(mount, path, deleted_version=version)
        return KvSecret(path, data, version)

    def read_kv_optional(self, path: str, *, mount: str | None = None) -> KvSecret | None:
        try:
            return self.read_kv(path, mount=mount)
        except VaultPathMissing:
            return None

    def write_kv(
        self, path: str, data: Mapping[str, Any], *, cas: int, mount: str | None = None
    ) -> int:
        """Write a new version if the current one is still ``cas`` (0: must not exist)."""
        mount = mount or self.kv_mount
        hv = self._transport.hvac
        op = Operation(
            f"write secret {mount}/{path}",
            f"{mount}/data/{path}",
            "create" if cas == 0 else "update",
            kv=(mount, path),
            cas=cas,
        )
        response = self._transport.call(
            op,
            lambda: hv.secrets.kv.v2.create_or_update_secret(
                path=path, secret=dict(data), cas=cas, mount_point=mount
            ),
        )
        written = response.get("data") if isinstance(response, dict) else None
        version = written.get("version") if isinstance(written, dict) else None
        return version if isinstance(version, int) else cas + 1

    def read_secrets(
        self,
        spec: Mapping[str, SecretRef],
        *,
        mask: bool | None = None,
        mask_stream: TextIO | None = None,
    ) -> dict[str, str]:
        """Read each named ``SecretRef``; every value is masked before it is returned.

        ``mask=None`` masks when running under GitHub Actions: elsewhere the
        ``::add-mask::`` lines would print the secrets on the user's terminal.
        Paths shared by several names are read once.
        """
        should_mask = masking.in_github_actions() if mask is None else mask
        by_path: dict[str, list[tuple[str, str]]] = {}
        for name, ref in spec.items():
            by_path.setdefault(ref.path, []).append((name, ref.key))
        values: dict[str, str] = {}
        for path, wanted in by_path.items():
            secret = self.read_kv(path)
            for name, key in wanted:
                value = self._string_value(secret, key)
                self._transport.remember_secret(value)
                if should_mask:
                    masking.mask(value, mask_stream)
                values[name] = value
        return {name: values[name] for name in spec}

    def read_cluster_secrets(
        self,
        cluster: str,
        overrides: Mapping[str, str] | None = None,
        names: Iterable[str] | None = None,
        *,
        mask: bool | None = None,
        mask_stream: TextIO | None = None,
    ) -> dict[str, str]:
        """The run's secrets for ``cluster`` (all, or only ``names``)."""
        refs = secret_paths.resolve(cluster, overrides)
        if names is not None:
            refs = secret_paths.subset(refs, names)
        return self.read_secrets(refs, mask=mask, mask_stream=mask_stream)

    def _string_value(self, secret: KvSecret, key: str) -> str:
        if key not in secret.data:
            raise VaultKeyMissing(self.kv_mount, secret.path, key, secret.data.keys())
        value = secret.data[key]
        if not isinstance(value, str):
            raise VaultValueInvalid(
                self.kv_mount, secret.path, key, f"holds a {type(value).__name__}, not a string"
            )
        if not value.strip():
            raise VaultValueInvalid(self.kv_mount, secret.path, key, "is empty")
        return value

    def write_kubeconfig(
        self,
        cluster: str,
        kubeconfig_text: str,
        path: str | None = None,
        *,
        key: str = secret_paths.KUBECONFIG_KEY,
    ) -> bool:
        """Store the cluster's kubeconfig; False when Vault already holds exactly this.

        The write is check-and-set against the version just read, so a second
        writer that got in between makes this fail loudly (``VaultCasConflict``)
        instead of one kubeconfig silently replacing the other. Other keys
        stored beside the kubeconfig are kept; after a soft delete the new
        version holds the kubeconfig alone (the deleted data is unreadable).
        """
        ref = secret_paths.kubeconfig_ref(cluster, path, key)
        self._transport.remember_secret(kubeconfig_text)
        try:
            current: KvSecret | None = self.read_kv(ref.path)
            deleted = 0
        except VaultPathMissing as exc:
            # A soft-deleted latest version (vault kv delete) still counts for
            # check-and-set: writing with cas=0 would fail on every run.
            current, deleted = None, exc.deleted_version
        if current is not None and current.data.get(ref.key) == kubeconfig_text:
            return False
        version = current.version if current is not None else deleted
        data = {**(current.data if current is not None else {}), ref.key: kubeconfig_text}
        try:
            self.write_kv(ref.path, data, cas=version)
        except VaultCasConflict:
            # A write retried after a lost response conflicts with itself;
            # if Vault now holds exactly what was meant, the job is done.
            latest = self.read_kv_optional(ref.path)
            if latest is not None and latest.data.get(ref.key) == kubeconfig_text:
                return True
            raise
        return True

    # Plain API paths, for the system and auth endpoints k8s_auth manages

    def read(
        self, api_path: str, *, action: str, capability: str = "read"
    ) -> dict[str, Any] | None:
        """GET ``/v1/<api_path>``; None when Vault has nothing there (404 or 204)."""
        adapter = self._transport.hvac.adapter
        try:
            result = self._transport.call(
                Operation(action, api_path, capability), lambda: adapter.get(f"/v1/{api_path}")
            )
        except VaultRequestFailed as exc:
            if exc.status == 404:
                return None
            raise
        return result if isinstance(result, dict) else None

    def list(self, api_path: str, *, action: str) -> list[str]:
        """LIST ``/v1/<api_path>``: its keys, empty when there are none (404)."""
        adapter = self._transport.hvac.adapter
        try:
            result = self._transport.call(
                Operation(action, api_path, "list"), lambda: adapter.list(f"/v1/{api_path}")
            )
        except VaultRequestFailed as exc:
            if exc.status == 404:
                return []
            raise
        data = result.get("data") if isinstance(result, dict) else None
        keys = data.get("keys") if isinstance(data, dict) else None
        return [str(key) for key in keys] if isinstance(keys, list) else []

    def write(
        self,
        api_path: str,
        data: Mapping[str, Any],
        *,
        action: str,
        capability: str = "update",
        method: Literal["post", "put"] = "post",
        gone_when: str | None = None,
    ) -> dict[str, Any] | None:
        """POST (or PUT) ``/v1/<api_path>``; the response body, None when Vault sent none.

        ``gone_when``: error text that means the object named is already gone;
        such an answer raises ``VaultObjectGone`` at once instead of being retried.
        """
        adapter = self._transport.hvac.adapter
        send = adapter.put if method == "put" else adapter.post
        result = self._transport.call(
            Operation(action, api_path, capability, gone_when=gone_when),
            lambda: send(f"/v1/{api_path}", json=dict(data)),
        )
        return result if isinstance(result, dict) else None


def _json_body(response: Any) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
