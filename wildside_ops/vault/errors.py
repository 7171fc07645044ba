"""Errors raised by the Vault client, each naming what to check or fix.

Messages name addresses, mounts, paths, keys and policies, never a secret value:
they end up in CI logs, where a leaked token would outlive the run.
"""

from __future__ import annotations

from collections.abc import Iterable


class VaultError(Exception):
    """Base class: anything that stopped the run talking to Vault."""


class VaultConfigError(VaultError, ValueError):
    """The settings or the secret path overrides are malformed."""


class VaultUnreachable(VaultError):
    """No HTTP answer at all: connection refused, timed out or DNS failure."""

    def __init__(self, address: str, attempts: int, cause: str) -> None:
        self.address = address
        self.attempts = attempts
        super().__init__(
            f"cannot reach Vault at {address} after {attempts} attempt(s): {cause}. "
            "Check the address (VAULT_ADDR), DNS, firewalls between the runner and Vault, "
            "and that the server is up."
        )


class VaultUnavailable(VaultError):
    """Vault answered, but kept failing with a transient error until retries ran out."""

    def __init__(self, address: str, attempts: int, status: int, action: str) -> None:
        self.address = address
        self.attempts = attempts
        self.status = status
        super().__init__(
            f"Vault at {address} kept answering HTTP {status} to {action} "
            f"after {attempts} attempt(s). It may be overloaded, restarting or behind a "
            "failing load balancer; check the server's logs and retry the run later."
        )


class VaultTlsError(VaultError):
    """The TLS handshake failed, almost always a CA bundle problem."""

    def __init__(self, address: str, cause: str) -> None:
        self.address = address
        super().__init__(
            f"TLS verification failed for Vault at {address}: {cause}. Point the CA bundle "
            "setting (VAULT_CACERT) at the PEM file of the CA that signed Vault's certificate."
        )


class VaultSealed(VaultError):
    """Vault is sealed; nothing will work until an operator unseals it."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__(
            f"Vault at {address} is sealed. Ask a Vault operator to unseal it "
            "(vault operator unseal, or check the auto-unseal key service) and rerun."
        )


class VaultLoginDenied(VaultError):
    """AppRole login was refused."""

    def __init__(self, address: str, mount: str, detail: str) -> None:
        self.address = address
        self.mount = mount
        super().__init__(
            f"AppRole login at {address} (auth/{mount}) was refused: {detail}. Check that "
            "the role ID and secret ID (the action's vault_role_id and vault_secret_id inputs, "
            "or VAULT_ROLE_ID and VAULT_SECRET_ID) belong to the same role, that the secret "
            "ID has not expired or run out of uses, and that its CIDR bindings allow this runner."
        )


class VaultPathMissing(VaultError):
    """A KV v2 path (or another API path) does not exist.

    ``deleted_version`` is the number of the latest version when that version
    exists but is soft-deleted (0: the path has no versions we know of); a
    check-and-set write must name it.
    """

    def __init__(self, mount: str, path: str, deleted_version: int = 0) -> None:
        self.mount = mount
        self.path = path
        self.deleted_version = deleted_version
        super().__init__(
            f"no secret at path '{path}' in KV mount '{mount}' (API path {mount}/data/{path}), "
            "or its latest version is deleted. Create it (vault kv put -mount="
            f"{mount} {path} ...), fix the path in the secret path overrides, or check "
            f"that '{mount}' is a KV version 2 mount."
        )


class VaultKeyMissing(VaultError):
    """The KV path exists but lacks the key asked for."""

    def __init__(self, mount: str, path: str, key: str, existing: Iterable[str]) -> None:
        self.mount = mount
        self.path = path
        self.key = key
        self.existing = sorted(existing)
        shown = ", ".join(repr(name) for name in self.existing) or "none"
        super().__init__(
            f"secret '{mount}/{path}' has no key '{key}'; keys present: {shown}. "
            "Add the key to the secret or point the secret path override at the right key."
        )


class VaultValueInvalid(VaultError):
    """A key holds something that cannot be used as a secret string."""

    def __init__(self, mount: str, path: str, key: str, problem: str) -> None:
        self.mount = mount
        self.path = path
        self.key = key
        super().__init__(
            f"key '{key}' of secret '{mount}/{path}' {problem}; store the value as a "
            "non-empty string."
        )


class VaultPermissionDenied(VaultError):
    """The token's policies do not allow the request.

    ``capability`` may list several, comma-separated (``"create,update,sudo"``).
    """

    def __init__(self, action: str, api_path: str, capability: str) -> None:
        self.action = action
        self.api_path = api_path
        self.capability = capability
        wanted = ", ".join(f'"{c.strip()}"' for c in capability.split(","))
        super().__init__(
            f"permission denied to {action} ({api_path}). The AppRole's token policies need "
            f'path "{api_path}" {{ capabilities = [{wanted}] }} (or a glob covering it); '
            "an expired token gives the same error."
        )


class VaultCasConflict(VaultError):
    """Check-and-set failed: someone else wrote the secret between our read and write."""

    def __init__(self, mount: str, path: str, expected_version: int) -> None:
        self.mount = mount
        self.path = path
        self.expected_version = expected_version
        super().__init__(
            f"secret '{mount}/{path}' changed while this run was writing it (expected version "
            f"{expected_version}). Another run is probably writing the same secret: let it "
            "finish, check the secret's history (vault kv metadata get), then rerun."
        )


class VaultMountConflict(VaultError):
    """An auth mount path is taken by a method of another type."""

    def __init__(self, path: str, wanted: str, found: str) -> None:
        self.path = path
        super().__init__(
            f"auth path '{path}' is already mounted with type '{found}', not '{wanted}'. "
            "Another tool owns it: disable or move that mount, or rename the cluster."
        )


class VaultRequestFailed(VaultError):
    """Any other refusal, with Vault's own explanation (secrets redacted)."""

    def __init__(self, action: str, api_path: str, status: int, detail: str) -> None:
        self.action = action
        self.api_path = api_path
        self.status = status
        self.detail = detail
        super().__init__(
            f"Vault refused to {action} ({api_path}) with HTTP {status}: {detail or 'no detail'}."
        )


class VaultObjectGone(VaultRequestFailed):
    """The object a request names no longer exists, though Vault said so with a 5xx.

    Some endpoints answer a missing object with a plain Go error (HTTP 500):
    destroying a secret ID by an accessor that tidy or a concurrent run
    already removed is one. The caller decides whether "gone" is success.
    """
