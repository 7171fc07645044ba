"""Secrets in a cluster, written straight through its API with the kubeconfig output.

Used for what must reach the cluster without passing through Git: the
AppRole pair of the cluster's own ESO. Writes are server-side applies under
one field manager, so a rerun converges rather than conflicts, and the
Secret carries no Flux labels, so Flux never prunes it. Apply merges: keys
another field manager added to the Secret stay, and reads report only the
keys this field manager owns, so such a key never looks like drift.

Errors name the API server, the action and the status, never a value: values
this client has handled are scrubbed from any text it raises.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, TypeVar

import yaml

from app.log import say
from wildside_ops.vault.masking import mask

FIELD_MANAGER = "wildside-infra-k8s"
APPLY = "application/apply-patch+yaml"
# Each request gives up after this many seconds: connect, then read.
TIMEOUT = (10, 30)
TRANSIENT = frozenset({429, 500, 502, 503, 504})
T = TypeVar("T")


class KubeError(Exception):
    """The cluster's API could not be reached or refused a request."""


class KubeSecrets:
    """Read and apply Secrets in the cluster a kubeconfig points at."""

    def __init__(
        self,
        kubeconfig: str,
        *,
        attempts: int = 5,
        backoff: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        # Loaded here, not at import: the client's models take a moment to load
        # and only this step needs them.
        from kubernetes import client, config

        try:
            document = yaml.safe_load(kubeconfig)
            api = config.new_client_from_config_dict(document, persist_config=False)
        except (yaml.YAMLError, config.ConfigException, TypeError, KeyError, ValueError) as exc:
            # The loader's message may quote the kubeconfig; give only its kind.
            raise KubeError(
                f"the kubeconfig output cannot be used ({type(exc).__name__}): check "
                "cluster-stack's kubeconfig output"
            ) from None
        self.host = str(api.configuration.host)
        self._api = api
        self._core = client.CoreV1Api(api)
        self._attempts = max(1, attempts)
        self._backoff = backoff
        self._sleep = sleep
        self._values: set[str] = set()

    def close(self) -> None:
        self._api.close()

    def __enter__(self) -> KubeSecrets:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def read(self, namespace: str, name: str) -> dict[str, str] | None:
        """The data keys this field manager applied, decoded; None when the Secret is absent.

        Server-side apply keeps keys owned by other managers (``data`` is a
        granular map), so only ``managedFields`` entries of our own apply say
        which keys are ours to compare.
        """
        found = self._call(
            f"read Secret {namespace}/{name}",
            lambda: self._core.read_namespaced_secret(
                name, namespace, _preload_content=False, _request_timeout=TIMEOUT
            ),
            missing_ok=True,
        )
        if found is None:
            return None
        body = json.loads(found.data or b"{}")
        owned = _owned_keys(body)
        data: dict[str, str] = {}
        for key, encoded in (body.get("data") or {}).items():
            if key not in owned:
                continue
            try:
                value = base64.b64decode(encoded, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError, TypeError):
                raise KubeError(
                    f"Secret {namespace}/{name} key {key!r} is not base64 UTF-8 text"
                ) from None
            self._protect(value)
            data[key] = value
        return data

    def write(self, namespace: str, name: str, data: Mapping[str, str]) -> None:
        """Apply the namespace (if missing) and our keys of the Secret: exactly ``data``.

        Keys this manager applied before and ``data`` lacks are removed; keys
        other managers own are kept (server-side apply's merge). ``force``
        takes over a key another manager changed, so the pair is put right.
        """
        for value in data.values():
            self._protect(value)
        labels = {"app.kubernetes.io/managed-by": FIELD_MANAGER}
        self._apply(
            f"apply Namespace {namespace}",
            f"/api/v1/namespaces/{namespace}",
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}},
        )
        secret = {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": name, "namespace": namespace, "labels": labels},
            "type": "Opaque",
            "data": {
                key: base64.b64encode(value.encode("utf-8")).decode("ascii")
                for key, value in data.items()
            },
        }
        self._apply(
            f"apply Secret {namespace}/{name}",
            f"/api/v1/namespaces/{namespace}/secrets/{name}",
            secret,
        )

    def _apply(self, action: str, path: str, body: dict[str, Any]) -> None:
        # The generated patch_* methods cannot send the apply content type in
        # this client release, so the request goes through call_api directly.
        self._call(
            action,
            lambda: self._api.call_api(
                path,
                "PATCH",
                query_params=[("fieldManager", FIELD_MANAGER), ("force", "true")],
                header_params={"Content-Type": APPLY, "Accept": "application/json"},
                body=body,
                auth_settings=["BearerToken"],
                _preload_content=False,
                _request_timeout=TIMEOUT,
            ),
        )

    def _protect(self, value: str) -> None:
        if len(value.strip()) >= 4:
            self._values.add(value)
            # The API sees data base64-encoded; mask that form too.
            mask(value)
            mask(base64.b64encode(value.encode("utf-8")).decode("ascii"))

    def _redact(self, text: str) -> str:
        for value in sorted(self._values, key=len, reverse=True):
            text = text.replace(value, "<redacted>")
        return text

    def _call(self, action: str, fn: Callable[[], T], *, missing_ok: bool = False) -> T | None:
        from kubernetes.client.exceptions import ApiException
        from urllib3.exceptions import HTTPError, SSLError

        for attempt in range(1, self._attempts + 1):
            try:
                return fn()
            except ApiException as exc:
                if missing_ok and exc.status == 404:
                    return None
                if exc.status not in TRANSIENT or attempt == self._attempts:
                    raise KubeError(self._refusal(action, exc)) from None
                reason = f"HTTP {exc.status}"
            except HTTPError as exc:
                if _tls_failure(exc, SSLError):
                    raise KubeError(
                        f"TLS with the cluster's API at {self.host} failed "
                        f"({self._redact(_root(exc))}); the kubeconfig's "
                        "certificate-authority-data must sign the API server's certificate"
                    ) from None
                if attempt == self._attempts:
                    raise KubeError(
                        f"cannot reach the cluster's API at {self.host} to {action} after "
                        f"{attempt} attempts: {self._redact(_root(exc))}"
                    ) from None
                reason = type(exc).__name__
            delay = self._backoff * 2 ** (attempt - 1)
            say(
                f"Kubernetes API: {reason} on {action}; retrying in {delay:.0f}s "
                f"(attempt {attempt + 1} of {self._attempts})"
            )
            self._sleep(delay)
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def _refusal(self, action: str, exc: Any) -> str:
        message = ""
        try:
            status = json.loads(exc.body or "{}")
            message = str(status.get("message") or "") if isinstance(status, dict) else ""
        except (TypeError, ValueError):
            message = ""
        advice = {
            401: "the kubeconfig's credentials were not accepted",
            403: "the kubeconfig's user may not do this (it needs the cluster-admin output)",
        }.get(int(exc.status or 0), "")
        detail = "; ".join(part for part in (self._redact(message), advice) if part)
        status = f"HTTP {exc.status} {exc.reason or ''}".rstrip()
        suffix = f": {detail}" if detail else ""
        return f"the cluster's API at {self.host} refused to {action} ({status}){suffix}"


def _owned_keys(body: Mapping[str, Any]) -> set[str]:
    """The ``data`` keys our field manager's Apply entry owns (fieldsV1 ``f:data.f:<key>``)."""
    metadata = body.get("metadata") or {}
    keys: set[str] = set()
    for entry in metadata.get("managedFields") or []:
        if entry.get("manager") != FIELD_MANAGER or entry.get("operation") != "Apply":
            continue
        fields = (entry.get("fieldsV1") or {}).get("f:data") or {}
        keys |= {name.removeprefix("f:") for name in fields if name.startswith("f:")}
    return keys


def _tls_failure(exc: BaseException, ssl_error: type[BaseException]) -> bool:
    # urllib3 wraps the TLS failure in MaxRetryError once its own retries are spent.
    return isinstance(exc, ssl_error) or isinstance(getattr(exc, "reason", None), ssl_error)


def _root(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)
    text = str(reason if isinstance(reason, BaseException) else exc)
    return text if len(text) <= 300 else text[:297] + "..."
