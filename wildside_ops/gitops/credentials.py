"""Credentials in a remote URL: taken out of it, and handed to git per command.

``https://user:TOKEN@host/repo.git`` given as the remote must work, but the
token must never reach ``.git/config`` (where ``git remote -v`` shows it and
the next run would compare against it). The URL git stores is the bare one;
the credential travels as an ``http.<url>.extraheader`` in git's
environment-only configuration (``GIT_CONFIG_COUNT``/``_KEY_n``/``_VALUE_n``),
appended after any entries the caller already set, so a changed token simply
replaces the header on the next run.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from urllib.parse import unquote, urlsplit, urlunsplit

__all__ = ["auth_environment", "split_credentials"]

_COUNT = "GIT_CONFIG_COUNT"


def split_credentials(remote: str) -> tuple[str, str | None]:
    """``(url without credentials, "user:password" or None)`` for an http(s) URL."""
    parts = urlsplit(remote)
    if parts.scheme not in ("http", "https") or "@" not in parts.netloc:
        return remote, None
    userinfo, _, host = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    clean = urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    return clean, f"{unquote(user)}:{unquote(password)}"


def auth_environment(url: str, credential: str, environ: Mapping[str, str]) -> dict[str, str]:
    """Variables making git send ``credential`` to ``url`` only, as Basic auth."""
    text = environ.get(_COUNT, "").strip()
    index = int(text) if text.isdigit() else 0
    encoded = base64.b64encode(credential.encode("utf-8")).decode("ascii")
    return {
        _COUNT: str(index + 1),
        f"GIT_CONFIG_KEY_{index}": f"http.{url}.extraheader",
        f"GIT_CONFIG_VALUE_{index}": f"Authorization: Basic {encoded}",
    }
