"""Open the pull request for a promotion branch, through PyGithub.

The token is checked against the repository before anything is pushed, and a
branch whose pull request could not be opened is deleted again, so a failure
leaves nothing half-made and the same command can simply be re-run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wildside_ops import github_api
from wildside_ops.promotion.rules import PromotionError

__all__ = ["PullRequests"]


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
                f"GitHub refused to {what} on {self.repository} "
                f"({github_api.describe(error)}); check GITHUB_TOKEN (it needs pull-request "
                "write access), --repository and GITHUB_API_URL",
                exit_code=1,
            ) from None

    def check(self) -> None:
        """Fail before anything is pushed if the repository cannot be read."""
        client = github_api.client(self.token, self.api_url)
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
