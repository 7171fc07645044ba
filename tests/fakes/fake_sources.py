"""Fake chart repositories, an OCI registry and the GitHub API, for ``wildside outdated``.

Each answers only the requests the real service would answer, on loopback:
``GET /<repo>/index.yaml`` (JSON is YAML), the registry's token dance and tag
list, and GitHub's latest-release and issue endpoints.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.loopback import Reply


@dataclass
class FakeSources:
    # chart repository folder -> chart -> versions
    charts: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    # OCI repository path ("owner/chart") -> tags
    oci: dict[str, list[str]] = field(default_factory=dict)
    # owner/repo -> latest release tag
    releases: dict[str, str] = field(default_factory=dict)
    issues: list[dict[str, Any]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    base: str = ""

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Reply:
        self.requests.append(f"{method} {path}")
        if found := re.fullmatch(r"/charts/([\w-]+)/index.yaml", path):
            entries = self.charts.get(found.group(1))
            if entries is None:
                return 404, {"message": "not found"}
            listed = {name: [{"version": v} for v in found] for name, found in entries.items()}
            return 200, {"apiVersion": "v1", "entries": listed}
        if path.startswith("/token?"):
            return 200, {"token": "anonymous-pull"}
        if found := re.fullmatch(r"/v2/(.+)/tags/list", path):
            if headers.get("authorization") != "Bearer anonymous-pull":
                challenge = f'Bearer realm="{self.base}/token",service="registry"'
                return 401, {"errors": []}, {"WWW-Authenticate": challenge}
            tags = self.oci.get(found.group(1))
            return (200, {"tags": tags}) if tags is not None else (404, {"errors": []})
        return self._github(method, path, body)

    def _github(self, method: str, path: str, body: bytes) -> Reply:
        if found := re.fullmatch(r"/repos/([\w.-]+/[\w.-]+)/releases/latest", path):
            tag = self.releases.get(found.group(1))
            return (200, {"tag_name": tag, "id": 1}) if tag else (404, {"message": "Not Found"})
        if found := re.fullmatch(r"/repos/([\w.-]+/[\w.-]+)/issues(\?.*)?", path):
            if method == "GET":
                return 200, [issue for issue in self.issues if issue["state"] == "open"]
            if method == "POST":
                sent = json.loads(body)
                number = len(self.issues) + 1
                issue = {
                    "number": number,
                    "title": sent["title"],
                    "body": sent.get("body", ""),
                    "state": "open",
                    "url": f"{self.base}/repos/{found.group(1)}/issues/{number}",
                    "html_url": f"{self.base}/{found.group(1)}/issues/{number}",
                }
                self.issues.append(issue)
                return 201, issue
        if found := re.fullmatch(r"/repos/[\w.-]+/[\w.-]+/issues/(\d+)", path):
            issue = self.issues[int(found.group(1)) - 1]
            if method == "PATCH":
                issue.update(json.loads(body))
            return 200, issue
        return 404, {"message": "Not Found"}
