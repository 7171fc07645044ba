"""The PyGithub client that pull-request previews and promotions share.

Built to fail fast: a CI step should report an unreachable or refusing GitHub
within seconds, not after a long retry ladder or client-side write pacing.
"""

from __future__ import annotations

from typing import Any

__all__ = ["client", "describe"]


def client(token: str, api_url: str) -> Any:
    """A client for ``api_url`` (github.com's API or a GHES ``/api/v3``) with ``token``."""
    # Imported here: PyGithub costs a noticeable part of a second to load, and
    # commands that never reach GitHub should not pay it.
    from github import Auth, Github

    return Github(
        auth=Auth.Token(token),
        base_url=api_url.rstrip("/"),
        timeout=10,
        retry=1,
        seconds_between_requests=None,
        seconds_between_writes=None,
    )


def describe(error: Exception) -> str:
    """A refusal in one line: ``HTTP <status>: <GitHub's message>``, else the error."""
    status = getattr(error, "status", None)
    data = getattr(error, "data", None)
    detail = data.get("message") if isinstance(data, dict) else None
    if status is not None:
        return f"HTTP {status}{': ' + str(detail) if detail else ''}"
    return f"{type(error).__name__}: {error}"
