"""A fake GitHub REST API on loopback: pull requests, issue comments, deployments.

Pull requests can also be opened (POST .../pulls), for ``wildside promote``.

Only the endpoints the preview feedback uses, answering the JSON fields
PyGithub reads, with ``url`` fields that point back at this server (PyGithub
follows them for later calls, as with the real API).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.loopback import serving

REPO = "example/wildside"


@dataclass
class FakeGitHub:
    token: str
    pulls: dict[int, dict[str, Any]] = field(default_factory=dict)
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    deployments: list[dict[str, Any]] = field(default_factory=list)
    # Pull requests opened through the API (``wildside promote --pull-request``).
    opened: list[dict[str, Any]] = field(default_factory=list)
    # Set to an HTTP status to refuse opening pull requests only.
    deny_pulls: int = 0
    statuses: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    # Set to an HTTP status to refuse every request (403: a token without rights).
    deny: int = 0
    url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: int = 100

    def pull(
        self,
        number: int,
        *,
        state: str = "open",
        draft: bool = False,
        fork: bool = False,
        labels: tuple[str, ...] = ("preview",),
    ) -> None:
        self.pulls[number] = {"state": state, "draft": draft, "fork": fork, "labels": labels}

    def _next(self) -> int:
        self._ids += 1
        return self._ids

    def _pull_json(self, number: int) -> dict[str, Any]:
        pull = self.pulls[number]
        head_repo = "someone/fork" if pull["fork"] else REPO
        return {
            "number": number,
            "url": f"{self.url}/repos/{REPO}/pulls/{number}",
            "issue_url": f"{self.url}/repos/{REPO}/issues/{number}",
            "state": pull["state"],
            "draft": pull["draft"],
            "labels": [{"name": name} for name in pull["labels"]],
            "head": {"sha": "0" * 40, "repo": {"full_name": head_repo}},
            "base": {"repo": {"full_name": REPO}},
        }

    def _comment_json(self, number: int, comment: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": comment["id"],
            "body": comment["body"],
            "url": f"{self.url}/repos/{REPO}/issues/comments/{comment['id']}",
            "issue_url": f"{self.url}/repos/{REPO}/issues/{number}",
        }

    def _deployment_json(self, found: dict[str, Any]) -> dict[str, Any]:
        return {**found, "url": f"{self.url}/repos/{REPO}/deployments/{found['id']}"}

    def handle(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, Any]:
        with self._lock:
            self.requests.append((method, path))
            if (
                headers.get("authorization") != f"token {self.token}"
                and headers.get("authorization") != f"Bearer {self.token}"
            ):
                return 401, {"message": "Bad credentials"}
            if self.deny:
                return self.deny, {"message": "Resource not accessible by integration"}
            return self._route(method, path, json.loads(body) if body else {})

    def _route(self, method: str, path: str, data: dict[str, Any]) -> tuple[int, Any]:  # noqa: PLR0911 - one return per route
        split = urlsplit(path)
        parts = split.path.strip("/").split("/")[3:]  # after repos/<owner>/<name>
        query = parse_qs(split.query)
        if parts in ([], ["pulls"]):
            return self._repository_route(method, parts, data)
        match (method, parts):
            case ("GET", ["pulls", number]) if int(number) in self.pulls:
                return 200, self._pull_json(int(number))
            case ("GET", ["issues", number]) if int(number) in self.pulls:
                return 200, {
                    **self._pull_json(int(number)),
                    "url": self._pull_json(int(number))["issue_url"],
                }
            case ("GET", ["issues", number, "comments"]):
                listed = self.comments.get(int(number), [])
                return 200, [self._comment_json(int(number), c) for c in listed]
            case ("POST", ["issues", number, "comments"]):
                comment = {"id": self._next(), "body": data["body"]}
                self.comments.setdefault(int(number), []).append(comment)
                return 201, self._comment_json(int(number), comment)
            case ("PATCH", ["issues", "comments", ident]):
                for number, listed in self.comments.items():
                    for comment in listed:
                        if comment["id"] == int(ident):
                            comment["body"] = data["body"]
                            return 200, self._comment_json(number, comment)
            case ("POST", ["deployments"]):
                created = {"id": self._next(), **data}
                self.deployments.append(created)
                return 201, self._deployment_json(created)
            case ("GET", ["deployments"]):
                environment = query.get("environment", [None])[0]
                found = [d for d in self.deployments if environment in (None, d["environment"])]
                return 200, [self._deployment_json(d) for d in found]
            case ("POST", ["deployments", ident, "statuses"]):
                status = {"id": self._next(), **data}
                self.statuses.setdefault(int(ident), []).append(status)
                return 201, {**status, "url": f"{self.url}/statuses/{status['id']}"}
        return 404, {"message": "Not Found"}

    def _repository_route(
        self, method: str, parts: list[str], data: dict[str, Any]
    ) -> tuple[int, Any]:
        """The repository itself, and opening a pull request (``wildside promote``)."""
        if method == "GET" and not parts:
            name = REPO.split("/")[1]
            return 200, {"full_name": REPO, "name": name, "url": f"{self.url}/repos/{REPO}"}
        if method != "POST" or not parts:
            return 404, {"message": "Not Found"}
        if self.deny_pulls:
            return self.deny_pulls, {"message": "Resource not accessible by integration"}
        number = self._next()
        self.opened.append({"number": number, **data})
        return 201, {
            "number": number,
            "url": f"{self.url}/repos/{REPO}/pulls/{number}",
            "html_url": f"https://github.example/{REPO}/pull/{number}",
            "state": "open",
            "title": data.get("title"),
            "body": data.get("body"),
        }

    def latest_status(self, environment: str) -> dict[str, Any]:
        found = [d for d in self.deployments if d["environment"] == environment]
        return self.statuses[found[-1]["id"]][-1]

    @contextmanager
    def running(self) -> Iterator[FakeGitHub]:
        with serving(self.handle, "fake-github") as url:
            self.url = url
            yield self
