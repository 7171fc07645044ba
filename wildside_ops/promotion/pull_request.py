"""Open the pull request for a promotion branch, through PyGithub.

The token is checked against the repository before anything is pushed, and a
branch whose pull request could not be opened is deleted again, so a failure
leaves nothing half-made and the same command can simply be re-run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wildside_ops.promotion.rules import PromotionError

__all__ = ["PullRequests"]


def _describe(error: Exception) -> str:
    status = getattr(error, "status", None)
    data = getattr(error, "data", None)
    detail = data.get("message") if isinstance(data, dict) else None
    if status is not None:
        return f"HTTP {status}{': ' + str(detail) if detail else ''}"
    return f"{type(error).__name__}: {error}"


@dataclass
class PullRequests:
    """Pull requests on one GitHub repository (``owner/name``)."""

    repository: str
    token: str
    api_url: str
    _repo: Any = None

    def _call(self, what: str, action: Any) -> Any:
        from github import GithubException

        try:
            return action()
        # requests' errors are OSErrors: unreachable, refused, timed out.
        except (GithubException, OSError) as error:
            raise PromotionError(
                f"GitHub refused to {what} on {self.repository} ({_describe(error)}); check "
                "GITHUB_TOKEN (it needs pull-request write access), --repository and "
                "GITHUB_API_URL",
                exit_code=1,
            ) from None

    def check(self) -> None:
        """Fail before anything is pushed if the repository cannot be read."""
        # Imported here: PyGithub takes a noticeable part of a second to load.
        from github import Auth, Github

        client = Github(
            auth=Auth.Token(self.token),
            base_url=self.api_url.rstrip("/"),
            timeout=10,
            retry=1,
            seconds_between_requests=None,
            seconds_between_writes=None,
        )
        self._repo = self._call("read the repository", lambda: client.get_repo(self.repository))

    def open(self, *, head: str, base: str, title: str, body: str) -> str:
        """Open the pull request; its web address."""
        if self._repo is None:
            self.check()
        pull = self._call(
            "open a pull request",
            lambda: self._repo.create_pull(base=base, head=head, title=title, body=body),
        )
        return str(pull.html_url)
