"""Tell the pull request about its preview, through PyGithub.

One sticky comment per preview, found again by a hidden marker and edited in
place; a transient GitHub Deployment per preview whose status carries the URL
(the pull request shows *View deployment*) and turns ``inactive`` on teardown.
Nothing here decides whether a preview exists: a failure is reported to the
caller, who has already published.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from wildside_ops import github_api

__all__ = ["FeedbackError", "GitHubFeedback", "PullRequestInfo", "marker"]

Log = Callable[[str], None]


class FeedbackError(Exception):
    """GitHub could not be reached, or refused a request."""


@dataclass(frozen=True)
class PullRequestInfo:
    number: int
    open: bool
    draft: bool
    fork: bool
    labels: frozenset[str]


def marker(app: str, number: int) -> str:
    """The hidden line that identifies the preview's comment among all others."""
    return f"<!-- wildside-preview:{app}:pr-{number} -->"


class GitHubFeedback:
    """A GitHub client for one application repository."""

    def __init__(self, token: str, repository: str, api_url: str, app: str) -> None:
        self._client = github_api.client(token, api_url)
        self._repository = repository
        self._app = app

    def _call(self, what: str, action: Callable[[], Any]) -> Any:
        from github import GithubException

        try:
            return action()
        # requests' errors are OSErrors: unreachable, refused, timed out.
        except (GithubException, OSError) as error:
            raise FeedbackError(f"GitHub {what} failed ({github_api.describe(error)})") from None

    def _repo(self) -> Any:
        return self._client.get_repo(self._repository, lazy=True)

    def pull_request(self, number: int) -> PullRequestInfo:
        def read() -> PullRequestInfo:
            # Objects of a lazy repository load on first attribute access: read
            # every attribute inside the guarded call.
            pull = self._repo().get_pull(number)
            head_repo = pull.head.repo
            return PullRequestInfo(
                number=number,
                open=pull.state == "open",
                draft=bool(pull.draft),
                fork=head_repo is None or head_repo.full_name != pull.base.repo.full_name,
                labels=frozenset(label.name for label in pull.labels),
            )

        info: PullRequestInfo = self._call(f"reading pull request #{number}", read)
        return info

    def pull_requests(self, numbers: Iterable[int]) -> dict[int, PullRequestInfo]:
        return {number: self.pull_request(number) for number in numbers}

    def _upsert_comment(self, number: int, body: str) -> None:
        tag = marker(self._app, number)
        text = f"{tag}\n{body}"

        def run() -> None:
            issue = self._repo().get_issue(number)
            for comment in issue.get_comments():
                if tag in (comment.body or ""):
                    if comment.body != text:
                        comment.edit(text)
                    return
            issue.create_comment(text)

        self._call(f"updating the comment on #{number}", run)

    def report_deploy(
        self, number: int, sha: str, url: str, now: datetime, links: dict[str, str]
    ) -> None:
        """Create or update the sticky comment and a Deployment with the preview's URL."""
        extra = "".join(f" · [{name}]({link})" for name, link in sorted(links.items()))
        body = (
            f"### Preview `{self._app}` for #{number}\n\n"
            f"| | |\n|---|---|\n"
            f"| URL | {url} |\n| Commit | `{sha}` |\n| Status | deployed (Flux applies it "
            f"within minutes) |\n| Updated | {now.strftime('%Y-%m-%d %H:%M UTC')} |\n"
            f"{extra}\n"
        )
        self._upsert_comment(number, body)

        def deployment() -> None:
            created = self._repo().create_deployment(
                ref=sha,
                environment=f"{self._app}-pr-{number}",
                description=f"preview of #{number}",
                transient_environment=True,
                production_environment=False,
                auto_merge=False,
                required_contexts=[],
            )
            created.create_status(
                "success", environment_url=url, description="deployed", auto_inactive=True
            )

        self._call(f"recording the deployment of #{number}", deployment)

    def report_teardown(self, number: int, now: datetime) -> None:
        """Mark the comment torn down and every Deployment of the preview inactive."""
        body = (
            f"### Preview `{self._app}` for #{number}\n\n"
            f"Torn down {now.strftime('%Y-%m-%d %H:%M UTC')}: the namespace and its "
            "database are deleted.\n"
        )
        self._upsert_comment(number, body)

        def deactivate() -> None:
            environment = f"{self._app}-pr-{number}"
            for found in self._repo().get_deployments(environment=environment):
                found.create_status("inactive", description="torn down")

        self._call(f"deactivating the deployments of #{number}", deactivate)
