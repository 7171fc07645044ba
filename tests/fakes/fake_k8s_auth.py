"""The Kubernetes auth backend of the fake Vault: config and roles.

Mirrors ``vault-plugin-auth-kubernetes`` (path_config.go, path_role.go):
a config write keeps only the fields the backend knows (the framework drops
the rest with a warning) and replaces the stored config; a config read hides
the reviewer JWT behind ``token_reviewer_jwt_set``; a role write merges the
given fields into the stored role (``pathRoleCreateUpdate`` reads it first and
changes only what ``GetOk`` finds), and a read echoes the deprecated aliases.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

Reply = tuple[int, dict[str, Any] | None]

_CONFIG_DEFAULTS: dict[str, Any] = {
    "kubernetes_host": "",
    "kubernetes_ca_cert": "",
    "token_reviewer_jwt": "",
    "pem_keys": [],
    "issuer": "",
    "disable_iss_validation": True,
    "disable_local_ca_jwt": False,
    "use_annotations_as_alias_metadata": False,
}
_ROLE_DEFAULTS: dict[str, Any] = {
    "alias_name_source": "serviceaccount_uid",
    "audience": "",
    "bound_service_account_names": [],
    "bound_service_account_namespaces": [],
    "bound_service_account_namespace_selector": "",
    "token_bound_cidrs": [],
    "token_explicit_max_ttl": 0,
    "token_max_ttl": 0,
    "token_no_default_policy": False,
    "token_num_uses": 0,
    "token_period": 0,
    "token_policies": [],
    "token_ttl": 0,
    "token_type": "default",
}
# Deprecated request names and the field each sets (tokenutil.ParseTokenFields).
_ALIASES = {"policies": "token_policies", "ttl": "token_ttl", "max_ttl": "token_max_ttl"}


def _errors(*messages: str) -> dict[str, Any]:
    return {"errors": list(messages)}


@dataclass
class KubernetesAuthBackend:
    config: dict[str, dict[str, Any]] = field(default_factory=dict)
    roles: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def exists(self, mount: str, tail: str) -> bool:
        """pathConfigExistenceCheck / pathRoleExistenceCheck: create or update."""
        if tail == "config":
            return mount in self.config
        if tail.startswith("role/"):
            return (mount, tail.removeprefix("role/")) in self.roles
        return True

    def handle(self, method: str, mount: str, tail: str, body: dict[str, Any]) -> Reply:
        if tail == "config":
            return self._config(method, mount, body)
        if tail.startswith("role/") and tail.count("/") == 1:
            return self._role(method, mount, tail.removeprefix("role/"), body)
        return 404, _errors(f"no handler for route 'auth/{mount}/{tail}'")

    def _config(self, method: str, mount: str, body: dict[str, Any]) -> Reply:
        if method == "GET":
            stored = self.config.get(mount)
            if stored is None:
                return 404, _errors()
            shown = {k: v for k, v in stored.items() if k != "token_reviewer_jwt"}
            shown["token_reviewer_jwt_set"] = bool(stored.get("token_reviewer_jwt"))
            return 200, {"data": copy.deepcopy(shown)}
        if method not in ("POST", "PUT"):
            return 405, _errors("unsupported operation")
        if not body.get("kubernetes_host"):
            return 400, _errors("no host provided")
        known = {k: v for k, v in body.items() if k in _CONFIG_DEFAULTS}
        self.config[mount] = {**copy.deepcopy(_CONFIG_DEFAULTS), **known}
        return 204, None

    def _role(self, method: str, mount: str, name: str, body: dict[str, Any]) -> Reply:
        key = (mount, name)
        if method == "GET":
            role = self.roles.get(key)
            if role is None:
                return 404, _errors()
            shown = copy.deepcopy(role)
            # Read echoes the deprecated names beside the token_* fields.
            shown.update({old: shown[new] for old, new in _ALIASES.items()})
            return 200, {"data": shown}
        if method not in ("POST", "PUT"):
            return 405, _errors("unsupported operation")
        stored = copy.deepcopy(self.roles.get(key, _ROLE_DEFAULTS))
        for name_given, value in body.items():
            target = _ALIASES.get(name_given, name_given)
            if target in _ROLE_DEFAULTS and not (name_given in _ALIASES and target in body):
                stored[target] = _as_int(value) if target.endswith("ttl") else value
        if not stored["bound_service_account_names"]:
            return 400, _errors('"bound_service_account_names" can not be empty')
        if not (
            stored["bound_service_account_namespaces"]
            or stored["bound_service_account_namespace_selector"]
        ):
            return 400, _errors(
                '"bound_service_account_namespaces" can not be empty if '
                '"bound_service_account_namespace_selector" is not set'
            )
        self.roles[key] = stored
        return 204, None


def _as_int(value: object) -> object:
    return int(value) if isinstance(value, str) and value.isdigit() else value
