"""A Kubernetes API server subset on 127.0.0.1: Namespaces and Secrets, over TLS.

It behaves as the real API server does where the client depends on it:
bearer-token authentication (401 Status otherwise); server-side apply
(``PATCH`` with ``application/apply-patch+yaml`` and a required
``fieldManager``) with field ownership, merges, ``force`` and 409 conflicts
as ``fake_ssa`` models them; merge patches as ``Update`` operations of another
field manager (what ``kubectl edit`` or ``kubectl patch`` do); a Secret cannot
be created in a namespace that does not exist; failures come back as
``Status`` objects (https://kubernetes.io/docs/reference/using-api/api-concepts/).
"""

from __future__ import annotations

import base64
import binascii
import copy
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml

from tests.fakes import fake_ssa
from tests.fakes.loopback import serving as serving_loopback
from tests.fakes.tls import self_signed, server_context

APPLY = "application/apply-patch+yaml"
MERGE = ("application/merge-patch+json", "application/strategic-merge-patch+json")
Reply = tuple[int, dict[str, Any]]


@dataclass
class KubeRequest:
    method: str
    path: str
    query: dict[str, str]
    content_type: str
    body: dict[str, Any]


def _status(code: int, reason: str, message: str) -> Reply:
    return code, {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }


@dataclass
class FakeKube:
    token: str
    namespaces: dict[str, dict[str, Any]] = field(default_factory=dict)
    secrets: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    log: list[KubeRequest] = field(default_factory=list)
    url: str = ""
    _failures: list[int] = field(default_factory=list)
    _version: int = 100
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, n: int, status: int = 503) -> None:
        with self._lock:
            self._failures.extend([status] * n)

    def patch_secret(
        self, namespace: str, name: str, data: dict[str, str | None], manager: str
    ) -> Reply:
        """Merge-patch the Secret's data as another client would (``None`` removes a key)."""
        body = {
            "data": {
                k: None if v is None else base64.b64encode(v.encode()).decode()
                for k, v in data.items()
            }
        }
        request = KubeRequest(
            "PATCH",
            f"/api/v1/namespaces/{namespace}/secrets/{name}",
            {"fieldManager": manager},
            MERGE[0],
            body,
        )
        with self._lock:
            return self._secret(request, namespace, name)

    def managers(self, namespace: str, name: str) -> dict[str, set[str]]:
        """Manager -> the data keys it owns (from managedFields)."""
        stored = self.secrets.get((namespace, name)) or {}
        found: dict[str, set[str]] = {}
        for entry in stored.get("metadata", {}).get("managedFields", []):
            keys = {f[1] for f in fake_ssa.owned(entry) if f[0] == "data"}
            found.setdefault(entry["manager"], set()).update(keys)
        return found

    def secret_data(self, namespace: str, name: str) -> dict[str, str] | None:
        stored = self.secrets.get((namespace, name))
        if stored is None:
            return None
        return {k: base64.b64decode(v).decode() for k, v in stored.get("data", {}).items()}

    def writes(self) -> list[KubeRequest]:
        return [r for r in self.log if r.method != "GET"]

    @contextmanager
    def running(self, tls: ssl.SSLContext) -> Iterator[FakeKube]:
        with serving_loopback(self.handle, "fake-kube", tls) as url:
            self.url = url
            yield self

    def handle(self, method: str, raw: str, headers: dict[str, str], body: bytes) -> Reply:
        parts = urlsplit(raw)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        content_type = headers.get("content-type", "").split(";")[0].strip()
        try:
            payload = yaml.safe_load(body) if body else {}
        except yaml.YAMLError:
            return _status(400, "BadRequest", "the body is not YAML or JSON")
        request = KubeRequest(method, parts.path, query, content_type, payload or {})
        with self._lock:
            self.log.append(request)
            if headers.get("authorization") != f"Bearer {self.token}":
                return _status(401, "Unauthorized", "Unauthorized")
            if self._failures:
                code = self._failures.pop(0)
                reason = "Forbidden" if code == 403 else "ServiceUnavailable"
                return _status(code, reason, f"fake failure (HTTP {code})")
            return self._route(request)

    def _route(self, req: KubeRequest) -> Reply:
        segments = req.path.strip("/").split("/")
        if segments[:3] != ["api", "v1", "namespaces"] or len(segments) not in (4, 6):
            return _status(404, "NotFound", "the server could not find the requested resource")
        namespace = segments[3]
        if len(segments) == 6 and segments[4] == "secrets":
            return self._secret(req, namespace, segments[5])
        if len(segments) == 4:
            return self._namespace(req, namespace)
        return _status(404, "NotFound", "the server could not find the requested resource")

    def _apply_problem(self, req: KubeRequest, kind: str, name: str) -> Reply | None:
        if req.method != "PATCH":
            return _status(405, "MethodNotAllowed", f"{req.method} is not supported here")
        if req.content_type not in (APPLY, *MERGE):
            return _status(415, "UnsupportedMediaType", f"unsupported {req.content_type!r}")
        if req.content_type != APPLY:
            # PatchOptions: force is only for apply requests.
            forced = req.query.get("force")
            return _status(400, "BadRequest", "force is only for apply") if forced else None
        if not req.query.get("fieldManager"):
            return _status(
                422, "Invalid", "PATCH, application/apply-patch+yaml: fieldManager is required"
            )
        if req.body.get("kind") != kind or req.body.get("metadata", {}).get("name") != name:
            return _status(400, "BadRequest", "the name of the object does not match the URL")
        return None

    def _secret_problem(self, req: KubeRequest, namespace: str, name: str) -> Reply | None:
        problem = self._apply_problem(req, "Secret", name)
        if problem is not None:
            return problem
        if namespace not in self.namespaces:
            return _status(404, "NotFound", f'namespaces "{namespace}" not found')
        for item, value in (req.body.get("data") or {}).items():
            try:
                if value is not None:
                    base64.b64decode(value, validate=True)
            except (binascii.Error, TypeError):
                return _status(422, "Invalid", f"Secret {name!r}: data[{item}]: illegal base64")
        return None

    def _namespace(self, req: KubeRequest, name: str) -> Reply:
        if req.method == "GET":
            found = self.namespaces.get(name)
            if found is None:
                return _status(404, "NotFound", f'namespaces "{name}" not found')
            return 200, copy.deepcopy(found)
        problem = self._apply_problem(req, "Namespace", name)
        if problem is not None:
            return problem
        created = name not in self.namespaces
        stored = self.namespaces.setdefault(name, {"apiVersion": "v1", "kind": "Namespace"})
        stored["metadata"] = {**req.body["metadata"], "resourceVersion": self._next()}
        return (201 if created else 200), copy.deepcopy(stored)

    def _secret(self, req: KubeRequest, namespace: str, name: str) -> Reply:
        key = (namespace, name)
        if req.method == "GET":
            found = self.secrets.get(key)
            if found is None:
                return _status(404, "NotFound", f'secrets "{name}" not found')
            return 200, copy.deepcopy(found)
        problem = self._secret_problem(req, namespace, name)
        if problem is not None:
            return problem
        live = self.secrets.get(key)
        if req.content_type != APPLY:
            return self._merge_patch(req, key, live)
        try:
            obj = fake_ssa.apply(
                live, req.body, req.query["fieldManager"], req.query.get("force") == "true"
            )
        except fake_ssa.ApplyConflict as exc:
            return _conflict(exc)
        obj["metadata"].update(name=name, namespace=namespace, resourceVersion=self._next())
        self.secrets[key] = obj
        return (201 if live is None else 200), copy.deepcopy(obj)

    def _merge_patch(
        self, req: KubeRequest, key: tuple[str, str], live: dict[str, Any] | None
    ) -> Reply:
        if live is None:
            return _status(404, "NotFound", f'secrets "{key[1]}" not found')
        changed = copy.deepcopy(live)
        for item, value in (req.body.get("data") or {}).items():
            if value is None:
                changed.setdefault("data", {}).pop(item, None)
            else:
                changed.setdefault("data", {})[item] = value
        # Without fieldManager the server names the manager after the client's user agent.
        manager = req.query.get("fieldManager") or "kubectl-edit"
        obj = fake_ssa.update(live, changed, manager)
        obj["metadata"]["resourceVersion"] = self._next()
        self.secrets[key] = obj
        return 200, copy.deepcopy(obj)

    def _next(self) -> str:
        self._version += 1
        return str(self._version)


def _conflict(exc: fake_ssa.ApplyConflict) -> Reply:
    """The 409 apply answers on a conflict, one cause per field (Server-Side Apply, "Conflicts")."""
    causes = [
        {
            "reason": "FieldManagerConflict",
            "message": f'conflict with "{manager}"',
            "field": "." + ".".join(field),
        }
        for manager, field in exc.conflicts
    ]
    lines = "\n".join(f"- {c['message']}: {c['field']}" for c in causes)
    code, body = _status(409, "Conflict", f"Apply failed with {len(causes)} conflict(s):\n{lines}")
    body["details"] = {"causes": causes}
    return code, body


def kubeconfig(url: str, ca_pem: str, token: str, name: str = "fake") -> str:
    """A kubeconfig shaped like DigitalOcean's: CA data, server, a bearer token."""
    ca = base64.b64encode(ca_pem.encode()).decode()
    return yaml.safe_dump(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {"name": name, "cluster": {"server": url, "certificate-authority-data": ca}}
            ],
            "contexts": [{"name": name, "context": {"cluster": name, "user": f"{name}-admin"}}],
            "current-context": name,
            "users": [{"name": f"{name}-admin", "user": {"token": token}}],
        },
        sort_keys=False,
    )


@contextmanager
def serving(folder: Path, token: str) -> Iterator[tuple[FakeKube, str]]:
    """A running fake API server over TLS and a kubeconfig that trusts and reaches it."""
    cert, key = self_signed(folder, "kube-apiserver")
    with FakeKube(token=token).running(server_context(cert, key)) as kube:
        yield kube, kubeconfig(kube.url, cert.read_text(), token)
