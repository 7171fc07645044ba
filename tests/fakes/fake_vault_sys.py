"""The fake Vault's operator endpoints: init, unseal, mounts, audit, token revocation.

Registered on a :class:`FakeVault` through its ``endpoints`` hook, so the base
fake stays as it is. Behaviour follows Vault where the bootstrap depends on it:
an uninitialized or sealed server answers 503 to everything but the seal
endpoints, unseal progress counts distinct shares until the threshold, init
twice is refused, and a revoked token stops working at once.
"""

from __future__ import annotations

import base64
import copy
import secrets
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.fake_vault import FakeVault, Reply, Request

_SYSTEM_MOUNTS: dict[str, dict[str, Any]] = {
    "sys/": {"type": "system", "options": None},
    "cubbyhole/": {"type": "cubbyhole", "options": None},
    "identity/": {"type": "identity", "options": None},
}


def _errors(*messages: str) -> dict[str, Any]:
    return {"errors": list(messages)}


@dataclass
class FakeVaultSys:
    """Operator state of the fake; ``attach`` starts it uninitialized and sealed."""

    vault: FakeVault
    initialized: bool = False
    shares: list[str] = field(default_factory=list)  # hex keys
    threshold: int = 0
    progress: set[str] = field(default_factory=set)
    root_token: str = ""
    mounts: dict[str, dict[str, Any]] = field(default_factory=lambda: copy.deepcopy(_SYSTEM_MOUNTS))
    audit: dict[str, dict[str, Any]] = field(default_factory=dict)
    revoked: list[str] = field(default_factory=list)

    @classmethod
    def attach(cls, vault: FakeVault) -> FakeVaultSys:
        """A fresh server: no KV mount, no AppRole, uninitialized and sealed."""
        vault.kv_mounts = ()
        vault.auth_mounts.pop("approle/", None)
        vault.sealed = True
        ops = cls(vault)
        vault.endpoints.append(ops.route)
        return ops

    def route(self, req: Request, query: dict[str, str]) -> Reply | None:
        path = req.path
        if path == "sys/health":
            return self._health()
        if self.vault._failures:  # fail_next() applies to these endpoints too
            status = self.vault._failures.pop(0)
            return status, _errors(f"fake transient failure (HTTP {status})")
        seal = {"sys/init": self._init, "sys/seal-status": self._status_reply}
        seal["sys/unseal"] = self._unseal
        if path in seal:
            return seal[path](req)
        if not (path.startswith(("sys/mounts", "sys/audit")) or path == "auth/token/revoke-self"):
            return None
        return self._authorized(req)

    def _authorized(self, req: Request) -> Reply:
        path = req.path
        token = req.headers.get("x-vault-token", "")
        if self.vault.sealed:
            reply: Reply = 503, _errors("Vault is sealed")
        elif token not in self.vault.tokens:
            reply = 403, _errors("permission denied")
        elif path == "auth/token/revoke-self":
            reply = self._revoke(req, token)
        elif path.startswith("sys/mounts"):
            reply = self._mounts(req, path.removeprefix("sys/mounts").strip("/"))
        else:
            reply = self._audit(req, path.removeprefix("sys/audit").strip("/"))
        return reply

    # Seal

    def _status(self) -> dict[str, Any]:
        return {
            "type": "shamir",
            "initialized": self.initialized,
            "sealed": self.vault.sealed,
            "t": self.threshold,
            "n": len(self.shares),
            "progress": len(self.progress),
            "nonce": "",
            "version": "1.17.6",
        }

    def _status_reply(self, req: Request) -> Reply:
        return 200, self._status()

    def _health(self) -> Reply:
        body = {"initialized": self.initialized, "sealed": self.vault.sealed, "standby": False}
        if not self.initialized:
            return 501, body
        return (503 if self.vault.sealed else 200), body

    def _init(self, req: Request) -> Reply:
        if req.method == "GET":
            return 200, {"initialized": self.initialized}
        if req.method not in ("PUT", "POST"):
            return 405, _errors("unsupported operation")
        if self.initialized:
            return 400, _errors("Vault is already initialized")
        n, t = int(req.body.get("secret_shares", 0)), int(req.body.get("secret_threshold", 0))
        if not 1 <= t <= n:
            return 400, _errors("invalid seal configuration: threshold must not exceed shares")
        self.shares = [secrets.token_hex(32) for _ in range(n)]
        self.threshold = t
        self.root_token = f"hvs.SENTINEL-ROOT-{secrets.token_urlsafe(18)}"
        self.initialized = True
        self.vault.tokens.add(self.root_token)
        self.vault.token_policies[self.root_token] = ["root"]
        return 200, {
            "keys": list(self.shares),
            "keys_base64": [base64.b64encode(bytes.fromhex(k)).decode() for k in self.shares],
            "root_token": self.root_token,
        }

    def _unseal(self, req: Request) -> Reply:
        if req.method not in ("PUT", "POST"):
            return 405, _errors("unsupported operation")
        if not self.initialized:
            return 400, _errors("Vault is not initialized")
        if req.body.get("reset"):
            self.progress.clear()
            return 200, self._status()
        key = str(req.body.get("key", ""))
        try:
            hex_key = base64.b64decode(key, validate=True).hex() if len(key) != 64 else key
        except ValueError:
            hex_key = key
        if hex_key not in self.shares:
            return 400, _errors("Error unsealing: crypto/aes: invalid key size")
        if self.vault.sealed:
            self.progress.add(hex_key)
            if len(self.progress) >= self.threshold:
                self.vault.sealed = False
                self.progress.clear()
        return 200, self._status()

    def seal(self) -> None:
        with self.vault._lock:
            self.vault.sealed = True
            self.progress.clear()

    # Tokens, mounts, audit

    def _revoke(self, req: Request, token: str) -> Reply:
        if req.method not in ("PUT", "POST"):
            return 405, _errors("unsupported operation")
        self.vault.tokens.discard(token)
        self.revoked.append(token)
        return 204, None

    def _mounts(self, req: Request, rest: str) -> Reply:
        if not rest:
            table = copy.deepcopy(self.mounts)
            ok = req.method == "GET"
            return (200, {**table, "data": table}) if ok else (405, _errors("unsupported"))
        if req.method not in ("PUT", "POST"):
            return 405, _errors("unsupported operation")
        if rest.endswith("/tune"):
            return self._tune(rest.removesuffix("/tune") + "/", req.body)
        key, kind = f"{rest}/", req.body.get("type")
        if key in self.mounts:
            return 400, _errors(f"path is already in use at {key}")
        if not kind:
            return 400, _errors("backend type must be specified as a string")
        self.mounts[key] = {"type": kind, "options": req.body.get("options") or {}}
        if kind == "kv":
            self.vault.kv_mounts = (*self.vault.kv_mounts, rest)
        return 204, None

    def _tune(self, key: str, body: dict[str, Any]) -> Reply:
        if key not in self.mounts:
            return 400, _errors(f"no mount at {key}")
        options = self.mounts[key].get("options") or {}
        self.mounts[key]["options"] = {**options, **(body.get("options") or {})}
        return 204, None

    def _audit(self, req: Request, rest: str) -> Reply:
        if not rest:
            if req.method != "GET":
                return 405, _errors("unsupported operation")
            table = copy.deepcopy(self.audit)
            return 200, {**table, "data": table}
        key = f"{rest}/"
        if req.method == "DELETE":
            self.audit.pop(key, None)
            return 204, None
        if req.method not in ("PUT", "POST"):
            return 405, _errors("unsupported operation")
        if key in self.audit:
            return 400, _errors(f"path already in use at {key}")
        options = {k: str(v) for k, v in (req.body.get("options") or {}).items()}
        self.audit[key] = {"type": req.body.get("type"), "path": key, "options": options}
        return 204, None
