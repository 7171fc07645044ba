"""A small model of Vault's ACL: parse policy HCL, answer "may this token do that?".

It mirrors ``vault/policy.go`` (``parsePaths``) and ``vault/acl.go``
(``NewACL``, ``AllowOperation``, ``CheckAllowedFromNonExactPaths``) for what
our policies use:

- ``path "<p>" { capabilities = [...] }`` blocks (and the old ``policy =
  "read" | "write" | "deny" | "sudo"`` shorthand), parsed as HCL1 with pyhcl,
  as Vault parses them with hashicorp/hcl v1; unknown capabilities and keys
  are errors, as in ``parsePaths``.
- A path ending in ``*`` is a prefix glob; a ``+`` segment matches exactly one
  path segment; a ``*`` anywhere else is a literal character (``parsePaths``
  strips only a trailing ``*``), so ``auth/kubernetes-*/config`` matches
  nothing but itself.
- An exact rule wins outright; otherwise the matching glob or ``+`` rule of
  highest priority applies alone (the "priority matching" list of the policy
  docs, https://developer.hashicorp.com/vault/docs/concepts/policies).
- The same path in several policies merges capabilities; ``deny`` on it
  anywhere leaves only ``deny`` (``NewACL``).
- ``sudo`` on root-protected paths is the caller's to ask for (the fake
  Vault's ``Route.sudo``, after ``PathsSpecial.Root`` of the system backend).

Not modelled: parameter constraints (``allowed_parameters`` …), templated
paths, namespaces, response wrapping, control groups, sentinel.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from hcl.parser import HclParser  # type: ignore[import-untyped]

CAPABILITIES = frozenset(
    {"create", "read", "update", "patch", "delete", "list", "sudo", "deny", "subscribe", "recover"}
)
# The old one-word policies and the capabilities each stands for (policy.go).
_OLD_POLICIES = {
    "deny": {"deny"},
    "read": {"read", "list"},
    "write": {"create", "read", "update", "delete", "list"},
    "sudo": {"create", "read", "update", "delete", "list", "sudo"},
}
_PATH_KEYS = frozenset(
    {
        "policy",
        "capabilities",
        "allowed_parameters",
        "denied_parameters",
        "required_parameters",
        "min_wrapping_ttl",
        "max_wrapping_ttl",
        "mfa_methods",
        "control_group",
    }
)


class PolicyError(ValueError):
    """The policy text is not a policy Vault would store."""


@dataclass(frozen=True)
class Rule:
    path: str  # as written, without a leading "/"
    capabilities: frozenset[str]

    @property
    def is_prefix(self) -> bool:
        return self.path.endswith("*") and not self.has_segment_wildcards

    @property
    def has_segment_wildcards(self) -> bool:
        p = self.path
        return p == "+" or "/+" in p or p.startswith("+/")

    def matches(self, path: str) -> bool:
        if self.has_segment_wildcards:
            return _segments_match(self.path, path)
        if self.is_prefix:
            return path.startswith(self.path[:-1])
        return path == self.path

    def priority(self) -> tuple[int, int, int, int, str]:
        """Higher sorts later; Vault's five tie-breakers in order."""
        p = self.path
        first = min((i for i, c in enumerate(p) if c in "+*"), default=len(p))
        return (first, 0 if p.endswith("*") else 1, -p.split("/").count("+"), len(p), p)


def _segments_match(pattern: str, path: str) -> bool:
    wanted, given = pattern.split("/"), path.split("/")
    glob = wanted[-1].endswith("*")
    if len(given) < len(wanted) or (not glob and len(given) != len(wanted)):
        return False
    for index, part in enumerate(wanted):
        if part == "+":
            continue
        if index == len(wanted) - 1 and glob:
            # The glob covers the rest of the path, slashes included.
            return "/".join(given[index:]).startswith(part[:-1])
        if part != given[index]:
            return False
    return True


# Building pyhcl's parser takes a tenth of a second; one, behind a lock, serves all.
_PARSER: list[HclParser] = []
_PARSER_LOCK = threading.Lock()


def parse_policy(text: str) -> list[Rule]:
    """The path rules of one policy; ``PolicyError`` where Vault would refuse it."""
    return list(_parse(text))


@functools.lru_cache(maxsize=256)
def _parse(text: str) -> tuple[Rule, ...]:
    with _PARSER_LOCK:
        if not _PARSER:
            _PARSER.append(HclParser())
        try:
            tree = _PARSER[0].parse(text)
        except ValueError as exc:
            raise PolicyError(f"failed to parse policy: {exc}") from None
    unknown = set(tree) - {"name", "path"}
    if unknown:
        raise PolicyError(f"invalid key {sorted(unknown)[0]!r} on line 1")
    rules = []
    for raw, body in (tree.get("path") or {}).items():
        path = raw.removeprefix("/")
        if "+*" in path:
            raise PolicyError(f"path {path!r}: invalid use of wildcards ('+*' is forbidden)")
        if not isinstance(body, dict) or set(body) - _PATH_KEYS:
            raise PolicyError(f"path {path!r}: invalid key in path block")
        caps = set(body.get("capabilities") or [])
        if "policy" in body:
            caps |= _OLD_POLICIES.get(str(body["policy"]), set())
        bad = caps - CAPABILITIES
        if bad:
            raise PolicyError(f'path {path!r}: invalid capability "{sorted(bad)[0]}"')
        if "deny" in caps:
            caps = {"deny"}
        rules.append(Rule(path, frozenset(caps)))
    return tuple(rules)


@dataclass
class Acl:
    """The merged rules of a token's policies."""

    rules: dict[str, Rule] = field(default_factory=dict)

    @classmethod
    def of(cls, policies: Iterable[str], texts: Mapping[str, str]) -> Acl:
        acl = cls()
        for name in policies:
            for rule in parse_policy(texts.get(name, "")):
                acl.add(rule)
        return acl

    def add(self, rule: Rule) -> None:
        known = self.rules.get(rule.path)
        if known is not None:
            caps = known.capabilities | rule.capabilities
            rule = Rule(rule.path, frozenset({"deny"}) if "deny" in caps else caps)
        self.rules[rule.path] = rule

    def capabilities(self, path: str) -> frozenset[str]:
        """What the token may do on ``path`` (empty: nothing)."""
        exact = self.rules.get(path)
        if exact is not None and not exact.is_prefix and not exact.has_segment_wildcards:
            return exact.capabilities
        found = [r for r in self.rules.values() if r.matches(path)]
        if not found:
            return frozenset()
        return max(found, key=Rule.priority).capabilities

    def allows(self, path: str, capability: str) -> bool:
        caps = self.capabilities(path)
        return "deny" not in caps and capability in caps
