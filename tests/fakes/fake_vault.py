"""An in-memory Vault speaking the HTTP API subset the client uses, on 127.0.0.1.

It answers the way Vault does where the client's behaviour depends on it:
errors as ``{"errors": [...]}``, a sealed server's 503, KV v2 versions and
check-and-set, and reads that normalise what was written (roles gain default
fields; a kubernetes config read hides the reviewer JWT).
"""

from __future__ import annotations

import copy
import fnmatch
import json
import secrets
import ssl
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.fake_approle import AppRoleBackend
from tests.fakes.loopback import serving

ROLE_ID = "fake-role-id"
SECRET_ID = "fake-secret-id"

Reply = tuple[int, dict[str, Any] | None]


@dataclass
class Request:
    method: str
    path: str  # API path without the leading /v1/
    body: dict[str, Any]
    headers: dict[str, str]  # lower-case names


@dataclass
class FakeVault:
    """State and controls; use ``running()`` to serve it."""

    kv_mounts: tuple[str, ...] = ("secret",)
    role_id: str = ROLE_ID
    secret_id: str = SECRET_ID
    sealed: bool = False
    login_error: str = "invalid role or secret ID"
    forbidden: set[str] = field(default_factory=set)  # fnmatch patterns of API paths
    forbidden_writes: set[str] = field(default_factory=set)  # the same, POST/PUT only
    hooks: list[Callable[[Request], None]] = field(default_factory=list)
    # Extra endpoints (tests/fakes/fake_vault_sys.py); consulted first, under the lock.
    routes: list[Callable[[Request, dict[str, str]], Reply | None]] = field(default_factory=list)
    log: list[Request] = field(default_factory=list)
    kv: dict[tuple[str, str], list[dict[str, Any] | None]] = field(default_factory=dict)
    auth_mounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    auth_config: dict[str, dict[str, Any]] = field(default_factory=dict)
    roles: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    policies: dict[str, str] = field(default_factory=dict)
    tokens: set[str] = field(default_factory=set)
    # Roles other than CI's own (the clusters'), their role and secret IDs.
    approle: AppRoleBackend = field(default_factory=AppRoleBackend)
    # Token -> the policies it logged in with.
    token_policies: dict[str, list[str]] = field(default_factory=dict)
    url: str = ""
    _failures: list[int] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.auth_mounts.setdefault("token/", {"type": "token", "description": "token based"})
        self.auth_mounts.setdefault("approle/", {"type": "approle", "description": ""})
        self.policies.setdefault("default", "# default policy\n")

    # Test controls

    def fail_next(self, n: int, status: int = 500) -> None:
        """Answer the next ``n`` requests (of any kind) with ``status``."""
        with self._lock:
            self._failures.extend([status] * n)

    def clear_failures(self) -> None:
        with self._lock:
            self._failures.clear()

    def put_secret(self, path: str, data: dict[str, Any], mount: str = "secret") -> int:
        with self._lock:
            versions = self.kv.setdefault((mount, path), [])
            versions.append(dict(data))
            return len(versions)

    def delete_latest(self, path: str, mount: str = "secret") -> None:
        with self._lock:
            self.kv[(mount, path)][-1] = None

    def versions(self, path: str, mount: str = "secret") -> int:
        return len(self.kv.get((mount, path), []))

    def latest(self, path: str, mount: str = "secret") -> dict[str, Any] | None:
        versions = self.kv.get((mount, path), [])
        return versions[-1] if versions else None

    def writes(self) -> Counter[str]:
        """How many POST/PUT requests each API path received."""
        return Counter(r.path for r in self.log if r.method in ("POST", "PUT"))

    def write_count(self, path: str) -> int:
        return self.writes()[path]

    def requests(self, method: str | None = None, path: str | None = None) -> list[Request]:
        return [
            r
            for r in self.log
            if (method is None or r.method == method) and (path is None or r.path == path)
        ]

    # Serving

    @contextmanager
    def running(self, tls: ssl.SSLContext | None = None) -> Iterator[FakeVault]:
        """Serve until the block ends; the server thread is stopped and joined on exit."""
        with serving(self.handle, "fake-vault", tls) as url:
            self.url = url
            yield self

    # Request handling (called on server threads)

    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Reply:
        parts = urlsplit(raw_path)
        path = parts.path.removeprefix("/v1/").strip("/")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        try:
            payload = json.loads(body) if body else {}
        except ValueError:
            return 400, _errors("failed to parse JSON input")
        request = Request(method, path, payload if isinstance(payload, dict) else {}, headers)
        with self._lock:
            self.log.append(request)
            hooks = list(self.hooks)
        for hook in hooks:
            hook(request)
        with self._lock:
            return self._dispatch(request, query, headers)

    def _dispatch(self, req: Request, query: dict[str, str], headers: dict[str, str]) -> Reply:
        reply: Reply | None = None
        for route in self.routes:
            if (reply := route(req, query)) is not None:
                return reply
        if req.path == "sys/health":
            reply = self._health()
        elif self._failures:
            status = self._failures.pop(0)
            reply = status, _errors(f"fake transient failure (HTTP {status})")
        elif self.sealed:
            reply = 503, _errors("Vault is sealed")
        elif self._forbidden(req):
            reply = 403, _errors("1 error occurred:\n\t* permission denied\n\n")
        elif req.path.startswith("auth/") and req.path.endswith("/login"):
            reply = self._login(req)
        elif headers.get("x-vault-token") not in self.tokens:
            reply = 403, _errors("permission denied")
        return reply if reply is not None else self._route(req, query)

    def _forbidden(self, req: Request) -> bool:
        patterns = set(self.forbidden)
        if req.method in ("POST", "PUT"):
            patterns |= self.forbidden_writes
        return any(fnmatch.fnmatchcase(req.path, pattern) for pattern in patterns)

    def _route(self, req: Request, query: dict[str, str]) -> Reply:
        head, _, rest = req.path.partition("/")
        if head in self.kv_mounts:
            return self._kv(req, head, rest, query)
        if req.path == "sys/auth" or req.path.startswith("sys/auth/"):
            return self._sys_auth(req, req.path.removeprefix("sys/auth").strip("/"))
        for prefix in ("sys/policies/acl/", "sys/policy/"):
            if req.path.startswith(prefix):
                name = req.path.removeprefix(prefix)
                return self._policy(req, name, legacy=prefix == "sys/policy/")
        if head == "auth":
            return self._auth_backend(req, rest)
        return 404, _errors(f"no handler for route {req.path!r}")

    def _health(self) -> Reply:
        body = {"initialized": True, "sealed": self.sealed, "standby": False, "version": "1.17.0"}
        return (503 if self.sealed else 200), body

    def _login(self, req: Request) -> Reply:
        mount = req.path.removeprefix("auth/").removesuffix("/login")
        if self.auth_mounts.get(f"{mount}/", {}).get("type") != "approle":
            return 404, _errors(f"no handler for route {req.path!r}")
        role_id, secret_id = str(req.body.get("role_id")), str(req.body.get("secret_id"))
        if (role_id, secret_id) == (self.role_id, self.secret_id):
            policies: list[str] | None = ["default"]
        else:
            policies = self.approle.login(mount, role_id, secret_id)
        if policies is None:
            return 400, _errors(self.login_error)
        token = f"hvs.{secrets.token_urlsafe(24)}"
        self.tokens.add(token)
        self.token_policies[token] = policies
        auth = {"client_token": token, "policies": policies, "lease_duration": 3600}
        return 200, {"auth": {**auth, "renewable": True}, "data": None}

    def _kv(self, req: Request, mount: str, rest: str, query: dict[str, str]) -> Reply:
        kind, _, path = rest.partition("/")
        if kind != "data" or not path:
            return 404, _errors(f"no handler for route {req.path!r}")
        if req.method == "GET":
            return self._kv_read(mount, path, int(query.get("version", "0")))
        if req.method in ("POST", "PUT"):
            return self._kv_write(mount, path, req.body)
        return 405, _errors("unsupported operation")

    def _kv_read(self, mount: str, path: str, version: int) -> Reply:
        versions = self.kv.get((mount, path), [])
        number = version or len(versions)
        if not versions or number > len(versions) or versions[number - 1] is None:
            return 404, _errors()
        meta = {"version": number, "deletion_time": "", "destroyed": False}
        return 200, {"data": {"data": copy.deepcopy(versions[number - 1]), "metadata": meta}}

    def _kv_write(self, mount: str, path: str, body: dict[str, Any]) -> Reply:
        versions = self.kv.setdefault((mount, path), [])
        cas = (body.get("options") or {}).get("cas")
        data = body.get("data")
        if cas is not None and cas != len(versions):
            return 400, _errors("check-and-set parameter did not match the current version")
        if not isinstance(data, dict):
            return 400, _errors("no data provided")
        versions.append(copy.deepcopy(data))
        return 200, {"data": {"version": len(versions), "deletion_time": "", "destroyed": False}}

    def _sys_auth(self, req: Request, mount: str) -> Reply:
        key = f"{mount}/"
        if req.method in ("POST", "PUT") and mount:
            return self._enable_auth(key, req.body)
        if req.method != "GET":
            return 405, _errors("unsupported operation")
        if not mount:
            table = copy.deepcopy(self.auth_mounts)
            return 200, {**table, "data": table}
        if key not in self.auth_mounts:
            return 400, _errors(f"No auth engine at {mount}")
        return 200, {"data": copy.deepcopy(self.auth_mounts[key])}

    def _enable_auth(self, key: str, body: dict[str, Any]) -> Reply:
        if key in self.auth_mounts:
            return 400, _errors(f"path is already in use at {key}")
        kind = body.get("type")
        if not kind:
            return 400, _errors("backend type must be specified as a string")
        self.auth_mounts[key] = {"type": kind, "description": body.get("description", "")}
        return 204, None

    def _policy(self, req: Request, name: str, *, legacy: bool) -> Reply:
        if req.method == "GET":
            if name not in self.policies:
                return 404, _errors()
            body = {"name": name, ("rules" if legacy else "policy"): self.policies[name]}
            return 200, {**body, "data": body}
        if req.method in ("POST", "PUT"):
            text = req.body.get("policy") or req.body.get("rules")
            if not isinstance(text, str):
                return 400, _errors("'policy' parameter not supplied or empty")
            self.policies[name] = text
            return 204, None
        return 405, _errors("unsupported operation")

    def _auth_backend(self, req: Request, rest: str) -> Reply:
        mount, _, tail = rest.partition("/")
        if self.auth_mounts.get(f"{mount}/", {}).get("type") == "approle":
            return self.approle.handle(req.method, mount, tail, req.body)
        if self.auth_mounts.get(f"{mount}/", {}).get("type") != "kubernetes":
            return 404, _errors(f"no handler for route {req.path!r}")
        if tail == "config":
            return self._k8s_config(req, mount)
        if tail.startswith("role/") and tail.count("/") == 1:
            return self._k8s_role(req, mount, tail.removeprefix("role/"))
        return 404, _errors(f"no handler for route {req.path!r}")

    def _k8s_config(self, req: Request, mount: str) -> Reply:
        if req.method == "GET":
            stored = self.auth_config.get(mount)
            if stored is None:
                return 404, _errors()
            shown = {k: v for k, v in stored.items() if k != "token_reviewer_jwt"}
            shown["token_reviewer_jwt_set"] = bool(stored.get("token_reviewer_jwt"))
            defaults = {"disable_iss_validation": True, "issuer": "", "pem_keys": []}
            return 200, {"data": {**defaults, **shown}}
        if req.method in ("POST", "PUT"):
            if not req.body.get("kubernetes_host"):
                return 400, _errors("no host provided")
            self.auth_config[mount] = {"disable_local_ca_jwt": False, **req.body}
            return 204, None
        return 405, _errors("unsupported operation")

    def _k8s_role(self, req: Request, mount: str, name: str) -> Reply:
        if req.method == "GET":
            role = self.roles.get((mount, name))
            return (200, {"data": copy.deepcopy(role)}) if role is not None else (404, _errors())
        if req.method in ("POST", "PUT"):
            body = req.body
            if not body.get("bound_service_account_names"):
                return 400, _errors('"bound_service_account_names" can not be empty')
            policies = body.get("token_policies", body.get("policies", []))
            ttl = int(body.get("token_ttl", body.get("ttl", 0)))
            # Vault echoes deprecated aliases and fills defaults on read.
            self.roles[(mount, name)] = {
                "alias_name_source": "serviceaccount_uid",
                "audience": body.get("audience", ""),
                "bound_service_account_names": list(body["bound_service_account_names"]),
                "bound_service_account_namespaces": list(
                    body.get("bound_service_account_namespaces", [])
                ),
                "policies": list(policies),
                "token_policies": list(policies),
                "ttl": ttl,
                "token_ttl": ttl,
                "token_max_ttl": int(body.get("token_max_ttl", body.get("max_ttl", 0))),
                "token_type": "default",
            }
            return 204, None
        return 405, _errors("unsupported operation")


def _errors(*messages: str) -> dict[str, Any]:
    return {"errors": list(messages)}
