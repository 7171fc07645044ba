"""One hvac client plus the retry and error-translation policy around it.

Only transient failures are retried (no connection, 429, and 5xx other than a
sealed 503); a refusal or a missing path will not change on retry, and
retrying it would only hide the real problem behind a longer wait.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import hvac
import hvac.adapters
import hvac.exceptions
import requests

from app.log import say
from wildside_ops.vault.errors import (
    VaultCasConflict,
    VaultConfigError,
    VaultError,
    VaultLoginDenied,
    VaultObjectGone,
    VaultPathMissing,
    VaultPermissionDenied,
    VaultRequestFailed,
    VaultSealed,
    VaultTlsError,
    VaultUnavailable,
    VaultUnreachable,
)
from wildside_ops.vault.settings import VaultSettings

T = TypeVar("T")

TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})

# hvac raises one class per status and drops the number; the adapter below
# records it, and this table covers exceptions raised without the adapter.
_STATUS_BY_CLASS: dict[type[Exception], int] = {
    hvac.exceptions.InvalidRequest: 400,
    hvac.exceptions.Unauthorized: 401,
    hvac.exceptions.Forbidden: 403,
    hvac.exceptions.InvalidPath: 404,
    hvac.exceptions.RateLimitExceeded: 429,
    hvac.exceptions.InternalServerError: 500,
    hvac.exceptions.VaultNotInitialized: 501,
    hvac.exceptions.BadGateway: 502,
    hvac.exceptions.VaultDown: 503,
}


class _StatusAdapter(hvac.adapters.JSONAdapter):  # type: ignore[misc]
    """hvac's JSON adapter, keeping the HTTP status on the exceptions it raises."""

    def _raise_for_error(self, method: str, url: str, response: Any) -> None:
        try:
            super()._raise_for_error(method, url, response)
        except hvac.exceptions.VaultError as exc:
            exc.status_code = response.status_code
            raise


@dataclass(frozen=True)
class Operation:
    """What a request is for, so that failures can say what to fix."""

    action: str
    api_path: str
    capability: str = "read"
    kv: tuple[str, str] | None = None
    cas: int | None = None
    login: bool = False
    # Text of Vault's error that means "no such object" on a path that answers
    # it with a 500; matched before the status is taken as transient.
    gone_when: str | None = None


def status_of(exc: Exception) -> int:
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        return status
    for cls, code in _STATUS_BY_CLASS.items():
        if isinstance(exc, cls):
            return code
    return 0


def _vault_detail(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if isinstance(errors, list) and errors:
        return "; ".join(str(e) for e in errors)
    text = getattr(exc, "text", None)
    return text.strip()[:300] if isinstance(text, str) else ""


class Transport:
    """Runs hvac calls with bounded retries and turns failures into ``VaultError``s."""

    def __init__(self, settings: VaultSettings, sleep: Callable[[float], None] = time.sleep):
        self.settings = settings
        self._sleep = sleep
        self._secrets: set[str] = set()
        self.remember_secret(settings.role_id)
        self.remember_secret(settings.secret_id)
        # token="" stops hvac picking up VAULT_TOKEN or ~/.vault-token: the run
        # must act with the AppRole's policies, not whatever the runner left behind.
        self.hvac = hvac.Client(
            url=settings.address,
            token="",
            verify=settings.verify,
            timeout=settings.timeout,
            namespace=settings.namespace,
            adapter=_StatusAdapter,
        )

    def close(self) -> None:
        self.hvac.adapter.close()

    def remember_secret(self, value: str) -> None:
        """Have ``redact`` scrub ``value`` (and each of its lines) from error text."""
        for part in (value, *value.splitlines()):
            if len(part.strip()) >= 4:
                self._secrets.add(part.strip())

    def redact(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, "<redacted>")
        return text

    def call(self, op: Operation, fn: Callable[[], T]) -> T:
        attempts = self.settings.max_attempts
        for attempt in range(1, attempts + 1):
            try:
                return fn()
            except (requests.RequestException, hvac.exceptions.VaultError) as exc:
                error, transient = self._translate(op, exc, attempt)
                if not transient:
                    raise error from None
                if attempt == attempts:
                    raise error from None
                delay = self._backoff(attempt)
                say(
                    f"Vault: {self._short(exc)} on {op.action}; retrying in {delay:.1f}s "
                    f"(attempt {attempt + 1} of {attempts})"
                )
                self._sleep(delay)
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.settings.backoff_cap, self.settings.backoff_base * 2.0 ** (attempt - 1))
        # Jitter keeps parallel CI jobs from retrying in lock-step against one Vault.
        jitter: float = random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not cryptography
        return ceiling * jitter

    def _short(self, exc: Exception) -> str:
        status = status_of(exc)
        return f"HTTP {status}" if status else type(exc).__name__

    def _translate(self, op: Operation, exc: Exception, attempt: int) -> tuple[VaultError, bool]:
        """The error to raise for ``exc``, and whether another attempt may help."""
        address = self.settings.address
        if isinstance(exc, requests.exceptions.SSLError):
            return VaultTlsError(address, self.redact(_root_cause(exc))), False
        if isinstance(exc, requests.ConnectionError | requests.Timeout):
            return VaultUnreachable(address, attempt, self.redact(_root_cause(exc))), True
        if isinstance(exc, requests.RequestException):
            return VaultConfigError(f"cannot send a request to Vault at {address}: {exc}"), False
        status = status_of(exc)
        detail = self.redact(_vault_detail(exc))
        if status == 503 and "sealed" in detail.lower():
            return VaultSealed(address), False
        gone = op.gone_when is not None and op.gone_when in detail
        if status in TRANSIENT_STATUSES and not gone:
            return VaultUnavailable(address, attempt, status, op.action), True
        return self._refusal(op, status, detail), False

    def _refusal(self, op: Operation, status: int, detail: str) -> VaultError:
        """A 4xx (or odd 5xx) answer: the request itself must change, so no retry."""
        if op.gone_when is not None and op.gone_when in detail:
            return VaultObjectGone(op.action, op.api_path, status, detail)
        if op.login and status in (400, 401, 403, 404):
            if status == 404:
                detail = f"no AppRole auth method is mounted there ({detail or 'not found'})"
            return VaultLoginDenied(self.settings.address, self.settings.approle_mount, detail)
        if status == 403:
            return VaultPermissionDenied(op.action, op.api_path, op.capability)
        if status == 404 and op.kv is not None:
            return VaultPathMissing(*op.kv)
        if status == 400 and op.kv is not None and op.cas is not None and "check-and-set" in detail:
            return VaultCasConflict(op.kv[0], op.kv[1], op.cas)
        if status == 501:
            detail = "Vault is not initialised; an operator must run vault operator init"
        return VaultRequestFailed(op.action, op.api_path, status, detail)


def _root_cause(exc: BaseException) -> str:
    """The innermost reason (refused, timed out, name not known) without the URL noise."""
    seen: set[int] = set()
    cause: BaseException = exc
    while True:
        nxt = cause.__cause__ or cause.__context__
        reason = getattr(cause, "reason", None)
        if isinstance(reason, BaseException):
            nxt = nxt or reason
        if nxt is None or id(nxt) in seen:
            break
        seen.add(id(nxt))
        cause = nxt
    text = str(cause) or type(cause).__name__
    return text if len(text) <= 300 else text[:297] + "..."
