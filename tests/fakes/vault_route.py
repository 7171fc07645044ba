"""The request and route types of the fake Vault, for modules that add endpoints.

A route module builds ``Route``s and registers them with ``FakeVault.add_route``;
the fake then applies the seal, the token and the ACL checks before calling it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# The body Vault sends when the ACL refuses a request (the error is wrapped
# by go-multierror in vault/request_handling.go).
DENIED = "1 error occurred:\n\t* permission denied\n\n"

Reply = tuple[int, dict[str, Any] | None]


@dataclass
class Request:
    method: str
    path: str  # API path without the leading /v1/
    body: dict[str, Any]
    headers: dict[str, str]  # lower-case names
    query: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Route:
    """Requests under ``prefix`` (the path itself or below it) go to ``handle``.

    ``handle(request, rest)`` gets the path after the prefix. ``exists(request,
    rest)`` is the path's existence check: a write to something that exists
    needs ``update``, otherwise ``create``; without one a write is ``update``.
    ``sudo``: the paths below the prefix are root-protected. ``open``: no
    token needed. ``while_sealed``: answered even by a sealed or uninitialised
    Vault (sys/init, sys/unseal, sys/seal-status are).
    """

    prefix: str
    handle: Callable[[Request, str], Reply]
    exists: Callable[[Request, str], bool] | None = None
    sudo: bool = False
    open: bool = False
    while_sealed: bool = False

    def covers(self, path: str) -> str | None:
        if path == self.prefix:
            return ""
        if path.startswith(self.prefix + "/"):
            return path[len(self.prefix) + 1 :]
        return None


def errors(*messages: str) -> dict[str, Any]:
    """Vault's error body: ``{"errors": [...]}`` (an empty list for a bare 404)."""
    return {"errors": list(messages)}
