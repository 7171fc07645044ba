"""An in-memory Vault speaking the HTTP API subset the client uses, on 127.0.0.1.

It answers the way Vault does where the client's behaviour depends on it:
errors as ``{"errors": [...]}``; sys/health's status codes for sealed,
standby and uninitialised servers; a sealed server's 503; logins whose
policies include ``default``; and every request made with a non-root token
checked against the token's policies by the ACL model in ``fake_acl``
(``create`` or ``update`` chosen by each path's existence check, as Vault's
request handling does). The backends live beside it: ``fake_kv`` (KV v2),
``fake_approle``, ``fake_k8s_auth``. More endpoints plug in with
``add_route`` (see ``Route``); see tests/fakes/README.md for what is modelled.
"""

from __future__ import annotations

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

from tests.fakes.fake_acl import Acl, PolicyError, parse_policy
from tests.fakes.fake_approle import AppRoleBackend
from tests.fakes.fake_k8s_auth import KubernetesAuthBackend
from tests.fakes.fake_kv import KvStore
from tests.fakes.loopback import serving
from tests.fakes.vault_route import DENIED, Reply, Request, Route, errors

ROLE_ID = "fake-role-id"
SECRET_ID = "fake-secret-id"
ROOT = "root"
# Vault's built-in default policy, the part a token uses on itself
# (vault/policy_store.go defaultPolicy).
DEFAULT_POLICY = """
path "auth/token/lookup-self" { capabilities = ["read"] }
path "auth/token/renew-self" { capabilities = ["update"] }
path "auth/token/revoke-self" { capabilities = ["update"] }
path "sys/capabilities-self" { capabilities = ["update"] }
"""


@dataclass
class FakeVault:
    """State and controls; use ``running()`` to serve it."""

    kv_mounts: tuple[str, ...] = ("secret",)
    role_id: str = ROLE_ID
    secret_id: str = SECRET_ID
    # The policies CI's own AppRole logs in with; "root" bypasses the ACL.
    ci_policies: list[str] = field(default_factory=lambda: [ROOT])
    sealed: bool = False
    initialized: bool = True
    standby: bool = False
    login_error: str = "invalid role or secret ID"
    forbidden: set[str] = field(default_factory=set)  # fnmatch patterns of API paths
    forbidden_writes: set[str] = field(default_factory=set)  # the same, POST/PUT only
    hooks: list[Callable[[Request], None]] = field(default_factory=list)
    # Whole endpoints that answer for themselves, seal and token checks included
    # (tests/fakes/fake_vault_sys.py: init, unseal, seal status, revoke-self);
    # consulted first, under the lock.
    endpoints: list[Callable[[Request, dict[str, str]], Reply | None]] = field(default_factory=list)
    log: list[Request] = field(default_factory=list)
    store: KvStore = field(default_factory=KvStore)
    auth_mounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    kubernetes: KubernetesAuthBackend = field(default_factory=KubernetesAuthBackend)
    policies: dict[str, str] = field(default_factory=dict)
    tokens: set[str] = field(default_factory=set)
    # Roles other than CI's own (the clusters'), their role and secret IDs.
    approle: AppRoleBackend = field(default_factory=AppRoleBackend)
    # Token -> the policies it logged in with.
    token_policies: dict[str, list[str]] = field(default_factory=dict)
    routes: list[Route] = field(default_factory=list)
    url: str = ""
    _failures: list[int] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.auth_mounts.setdefault("token/", {"type": "token", "description": "token based"})
        self.auth_mounts.setdefault("approle/", {"type": "approle", "description": ""})
        self.policies.setdefault("default", DEFAULT_POLICY)
        self.routes += [
            Route("sys/auth", self._sys_auth, sudo=True),
            Route("sys/policies/acl", self._policy, self._policy_exists),
            Route("sys/policy", self._policy, self._policy_exists),
            Route("auth", self._auth_backend, self._auth_exists),
        ]
        for mount in self.kv_mounts:
            self.routes.append(Route(mount, self._kv, self._kv_exists))

    @property
    def kv(self) -> dict[tuple[str, str], list[dict[str, Any] | None]]:
        return self.store.data

    @property
    def auth_config(self) -> dict[str, dict[str, Any]]:
        return self.kubernetes.config

    @property
    def roles(self) -> dict[tuple[str, str], dict[str, Any]]:
        return self.kubernetes.roles

    def add_route(self, route: Route) -> None:
        """Serve more endpoints; the longest matching prefix wins."""
        with self._lock:
            self.routes.append(route)

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
        """Soft-delete the latest version, as ``vault kv delete`` does."""
        with self._lock:
            self.store.soft_delete(mount, path)

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
            return 400, errors("failed to parse JSON input")
        if method == "GET" and query.get("list") == "true":
            method = "LIST"
        body_dict = payload if isinstance(payload, dict) else {}
        request = Request(method, path, body_dict, headers, query)
        with self._lock:
            self.log.append(request)
            hooks = list(self.hooks)
        for hook in hooks:
            hook(request)
        with self._lock:
            for extra in self.endpoints:
                if (answer := extra(request, request.query)) is not None:
                    return answer
            return self._dispatch(request)

    def _dispatch(self, req: Request) -> Reply:
        route, rest = self._route_for(req.path)
        reply = self._refusal(req, route)
        if reply is not None:
            return reply
        if req.path.startswith("auth/") and req.path.endswith("/login"):
            return self._login(req)
        if route is None or not route.open:
            token = req.headers.get("x-vault-token", "")
            # Vault checks the token and the ACL before it looks for a handler.
            if token not in self.tokens:
                return 403, errors("permission denied")
            if not self._allowed(token, req, route, rest):
                return 403, errors(DENIED)
        if route is None:
            return 404, errors(f"no handler for route {req.path!r}")
        return route.handle(req, rest)

    def _refusal(self, req: Request, route: Route | None) -> Reply | None:
        """What answers before any route: health, injected failures, seal, test denials."""
        if req.path == "sys/health":
            return self._health()
        if self._failures:
            status = self._failures.pop(0)
            return status, errors(f"fake transient failure (HTTP {status})")
        sealed = self.sealed or not self.initialized
        if sealed and not (route is not None and route.while_sealed):
            return 503, errors("Vault is sealed")
        if self._forbidden(req):
            return 403, errors(DENIED)
        return None

    def _route_for(self, path: str) -> tuple[Route | None, str]:
        best: tuple[Route | None, str] = (None, "")
        for route in self.routes:
            rest = route.covers(path)
            if rest is not None and (best[0] is None or len(route.prefix) > len(best[0].prefix)):
                best = (route, rest)
        return best

    def capability(self, req: Request, route: Route, rest: str) -> str:
        """The capability Vault asks of the ACL (request_handling.go: the existence check)."""
        if req.method in ("GET", "HEAD"):
            return "read"
        if req.method == "LIST":
            return "list"
        if req.method == "DELETE":
            return "delete"
        if route.exists is not None and not route.exists(req, rest):
            return "create"
        return "update"

    def _allowed(self, token: str, req: Request, route: Route | None, rest: str) -> bool:
        policies = self.token_policies.get(token, [])
        if ROOT in policies:
            return True
        acl = Acl.of(policies, self.policies)
        wanted = "read" if route is None else self.capability(req, route, rest)
        if not acl.allows(req.path, wanted):
            return False
        sudo = route is not None and route.sudo and bool(rest)
        return not (sudo and not acl.allows(req.path, "sudo"))

    def _forbidden(self, req: Request) -> bool:
        patterns = set(self.forbidden)
        if req.method in ("POST", "PUT"):
            patterns |= self.forbidden_writes
        return any(fnmatch.fnmatchcase(req.path, pattern) for pattern in patterns)

    def _health(self) -> Reply:
        # sys/health codes (api-docs/system/health): 200 active, 429 standby,
        # 501 not initialised, 503 sealed; the body is sent with each of them.
        body = {
            "initialized": self.initialized,
            "sealed": self.sealed or not self.initialized,
            "standby": self.standby,
            "performance_standby": False,
            "version": "1.17.0",
        }
        if not self.initialized:
            return 501, body
        if self.sealed:
            return 503, body
        return (429 if self.standby else 200), body

    def _login(self, req: Request) -> Reply:
        mount = req.path.removeprefix("auth/").removesuffix("/login")
        if self.auth_mounts.get(f"{mount}/", {}).get("type") != "approle":
            return 404, errors(f"no handler for route {req.path!r}")
        role_id, secret_id = str(req.body.get("role_id")), str(req.body.get("secret_id"))
        if (role_id, secret_id) == (self.role_id, self.secret_id):
            policies: list[str] | None = list(self.ci_policies)
        else:
            policies = self.approle.login(mount, role_id, secret_id)
        if policies is None:
            return 400, errors(self.login_error)
        if ROOT not in policies:
            # token_no_default_policy is off: the token store adds "default"
            # and sorts the set (vault/token_store.go, policyutil.SanitizePolicies).
            policies = sorted(set(policies) | {"default"})
        token = f"hvs.{secrets.token_urlsafe(24)}"
        self.tokens.add(token)
        self.token_policies[token] = policies
        auth = {
            "client_token": token,
            "policies": policies,
            "token_policies": policies,
            "lease_duration": 3600,
        }
        return 200, {"auth": {**auth, "renewable": True}, "data": None}

    def _kv_exists(self, req: Request, rest: str) -> bool:
        return self.store.exists(req.path.partition("/")[0], rest)

    def _kv(self, req: Request, rest: str) -> Reply:
        mount = req.path.partition("/")[0]
        version = int(req.query.get("version", "0"))
        return self.store.handle(req.method, mount, rest, req.body, version)

    def _sys_auth(self, req: Request, mount: str) -> Reply:
        key = f"{mount}/"
        if req.method in ("POST", "PUT") and mount:
            return self._enable_auth(key, req.body)
        if req.method != "GET":
            return 405, errors("unsupported operation")
        if not mount:
            table = {k: {**v, "config": {"max_lease_ttl": 0}} for k, v in self.auth_mounts.items()}
            return 200, {**table, "data": table}
        if key not in self.auth_mounts:
            return 400, errors(f"No auth engine at {mount}")
        return 200, {"data": dict(self.auth_mounts[key])}

    def _enable_auth(self, key: str, body: dict[str, Any]) -> Reply:
        if key in self.auth_mounts:
            return 400, errors(f"path is already in use at {key}")
        kind = body.get("type")
        if not kind:
            return 400, errors("backend type must be specified as a string")
        self.auth_mounts[key] = {"type": kind, "description": body.get("description", "")}
        return 204, None

    def _policy_exists(self, req: Request, name: str) -> bool:
        return name in self.policies

    def _policy(self, req: Request, name: str) -> Reply:
        legacy = req.path.startswith("sys/policy/")
        # sys/policy/<name> reads and writes "rules"; sys/policies/acl/<name>
        # only "policy" (vault/logical_system.go handlePoliciesSet).
        field_name = "rules" if legacy else "policy"
        if req.method == "GET":
            if name not in self.policies:
                return 404, errors()
            body = {"name": name, field_name: self.policies[name]}
            return 200, {**body, "data": body}
        if req.method in ("POST", "PUT"):
            text = req.body.get(field_name)
            if not isinstance(text, str) or not text:
                return 400, errors("'policy' parameter not supplied or empty")
            try:
                parse_policy(text)
            except PolicyError as exc:
                return 400, errors(f"failed to parse policy: {exc}")
            self.policies[name] = text
            return 204, None
        return 405, errors("unsupported operation")

    def _auth_type(self, mount: str) -> str | None:
        entry = self.auth_mounts.get(f"{mount}/")
        return str(entry.get("type")) if entry else None

    def _auth_exists(self, req: Request, rest: str) -> bool:
        mount, _, tail = rest.partition("/")
        kind = self._auth_type(mount)
        if kind == "approle":
            return self.approle.exists(mount, tail)
        if kind == "kubernetes":
            return self.kubernetes.exists(mount, tail)
        return True

    def _auth_backend(self, req: Request, rest: str) -> Reply:
        mount, _, tail = rest.partition("/")
        kind = self._auth_type(mount)
        if kind == "approle":
            return self.approle.handle(req.method, mount, tail, req.body)
        if kind == "kubernetes":
            return self.kubernetes.handle(req.method, mount, tail, req.body)
        return 404, errors(f"no handler for route {req.path!r}")
