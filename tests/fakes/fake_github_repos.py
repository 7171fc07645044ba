"""A fake GitHub REST API on loopback for repository administration: repositories, contents,
deploy keys, branch protection.

Only what ``wildside gitops bootstrap`` calls, answered in the shapes GitHub's
REST API documents (docs.github.com/rest: repos, repos/contents, deploy-keys,
branches/branch-protection, meta), with its status codes: 404 for a missing
repository, file, key, branch or protection ("Branch not protected"), 403 when
the token may not create repositories in an organisation, 403 on ``/user`` for a
GitHub App installation token (``ghs_…``), 404 on ``/orgs/<user>`` for a user
account, 201 on creation and 204 on deletion. ``writes`` records every non-GET
request, so a test can prove a re-run wrote nothing.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from tests.fakes.loopback import serving

Reply = tuple[int, Any]
# GitHub's published host keys look like this (the values here are made up).
SSH_KEYS = ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"]


@dataclass
class FakeRepo:
    owner: str
    name: str
    private: bool
    default_branch: str = "main"
    files: dict[str, str] = field(default_factory=dict)
    keys: dict[int, dict[str, Any]] = field(default_factory=dict)
    protection: dict[str, Any] | None = None


@dataclass
class FakeGitHub:
    login: str = "wildside-bot"
    # Organisations the token may create repositories in.
    creatable: set[str] = field(default_factory=lambda: {"wildside"})
    repos: dict[str, FakeRepo] = field(default_factory=dict)
    writes: list[tuple[str, str]] = field(default_factory=list)
    url: str = ""
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @contextmanager
    def running(self) -> Iterator[FakeGitHub]:
        with serving(self._handle, "fake-github") as url:
            self.url = url
            yield self

    # --- JSON shapes ------------------------------------------------------------------

    def _repo_json(self, repo: FakeRepo) -> dict[str, Any]:
        full = f"{repo.owner}/{repo.name}"
        return {
            "id": abs(hash(full)) % 10**8,
            "name": repo.name,
            "full_name": full,
            "private": repo.private,
            "owner": {"login": repo.owner},
            "default_branch": repo.default_branch,
            "url": f"{self.url}/repos/{full}",
        }

    def _key_json(self, repo: FakeRepo, key: dict[str, Any]) -> dict[str, Any]:
        return {**key, "url": f"{self.url}/repos/{repo.owner}/{repo.name}/keys/{key['id']}"}

    def _protection_json(self, repo: FakeRepo, branch: str) -> dict[str, Any]:
        base = f"{self.url}/repos/{repo.owner}/{repo.name}/branches/{branch}/protection"
        stored = repo.protection or {}
        checks = stored.get("required_status_checks")
        reply: dict[str, Any] = {
            "url": base,
            "enforce_admins": {"enabled": bool(stored.get("enforce_admins")), "url": base},
            "allow_deletions": {"enabled": bool(stored.get("allow_deletions"))},
            "allow_force_pushes": {"enabled": bool(stored.get("allow_force_pushes"))},
        }
        if checks is not None:
            reply["required_status_checks"] = {
                "url": f"{base}/required_status_checks",
                "strict": bool(checks.get("strict")),
                "contexts": list(checks.get("contexts") or []),
                "checks": [{"context": c, "app_id": None} for c in checks.get("contexts") or []],
            }
        return reply

    # --- routing ----------------------------------------------------------------------

    def _handle(self, method: str, raw: str, headers: dict[str, str], body: bytes) -> Reply:
        authorization = headers.get("authorization", "")
        if not authorization.startswith(("token ", "Bearer ")):
            return 401, {"message": "Requires authentication"}
        path = urlsplit(raw).path
        if path == "/user" and authorization.split()[-1].startswith("ghs_"):
            return 403, {"message": "Resource not accessible by integration"}
        if method != "GET":
            self.writes.append((method, path))
        data = json.loads(body) if body else {}
        for pattern, handler in self._routes():
            match = re.fullmatch(pattern, path)
            if match:
                return handler(method, data, *match.groups())
        return 404, {"message": "Not Found"}

    def _routes(self) -> list[tuple[str, Any]]:
        return [
            (r"/user", self._user),
            (r"/meta", self._meta),
            (r"/orgs/([^/]+)", self._org),
            (r"/orgs/([^/]+)/repos", self._create),
            (r"/user/repos", self._create_for_user),
            (r"/repos/([^/]+)/([^/]+)", self._repo),
            (r"/repos/([^/]+)/([^/]+)/contents/(.+)", self._contents),
            (r"/repos/([^/]+)/([^/]+)/keys", self._keys),
            (r"/repos/([^/]+)/([^/]+)/keys/(\d+)", self._key),
            (r"/repos/([^/]+)/([^/]+)/branches/([^/]+)", self._branch),
            (r"/repos/([^/]+)/([^/]+)/branches/([^/]+)/protection", self._protection),
            (r"/repos/([^/]+)/([^/]+)/branches/([^/]+)/rename", self._rename),
        ]

    def _user(self, method: str, _data: Any) -> Reply:
        return 200, {"login": self.login, "url": f"{self.url}/user", "type": "User"}

    def _meta(self, method: str, _data: Any) -> Reply:
        return 200, {"ssh_keys": list(SSH_KEYS)}

    def _org(self, method: str, _data: Any, org: str) -> Reply:
        if org == self.login:  # a user account, not an organisation
            return 404, {"message": "Not Found"}
        return 200, {"login": org, "url": f"{self.url}/orgs/{org}"}

    def _create_for_user(self, method: str, data: Any) -> Reply:
        return self._create(method, data, self.login, mine=True)

    def _create(self, method: str, data: Any, org: str, *, mine: bool = False) -> Reply:
        if method != "POST":
            return 405, {"message": "Method Not Allowed"}
        if org not in self.creatable and not mine:
            return 403, {"message": "Resource not accessible by personal access token"}
        name = data["name"]
        if f"{org}/{name}" in self.repos:
            return 422, {
                "message": "Repository creation failed.",
                "errors": [{"message": "name already exists on this account"}],
            }
        repo = FakeRepo(org, name, bool(data.get("private")))
        if data.get("auto_init"):
            repo.files["README.md"] = f"# {name}\n"
        self.repos[f"{org}/{name}"] = repo
        return 201, self._repo_json(repo)

    def _found(self, owner: str, name: str) -> FakeRepo | None:
        return self.repos.get(f"{owner}/{name}")

    def _repo(self, method: str, _data: Any, owner: str, name: str) -> Reply:
        repo = self._found(owner, name)
        return (200, self._repo_json(repo)) if repo else (404, {"message": "Not Found"})

    def _contents(self, method: str, data: Any, owner: str, name: str, path: str) -> Reply:
        repo = self._found(owner, name)
        if repo is None:
            return 404, {"message": "Not Found"}
        url = f"{self.url}/repos/{owner}/{name}/contents/{path}"
        if method == "GET":
            return self._read_file(repo, path, url)
        if method == "PUT":
            return self._write_file(repo, path, url, data)
        return 405, {"message": "Method Not Allowed"}

    def _read_file(self, repo: FakeRepo, path: str, url: str) -> Reply:
        if path not in repo.files:
            return 404, {"message": "Not Found"}
        text = repo.files[path].encode()
        return 200, {
            "type": "file",
            "path": path,
            "name": path.rsplit("/", 1)[-1],
            "sha": hashlib.sha1(text).hexdigest(),  # noqa: S324 - git's object ids
            "content": base64.b64encode(text).decode(),
            "encoding": "base64",
            "url": url,
        }

    def _write_file(self, repo: FakeRepo, path: str, url: str, data: Any) -> Reply:
        if path in repo.files and not data.get("sha"):
            return 422, {"message": 'Invalid request.\n\n"sha" wasn\'t supplied.'}
        # Admins bypass protection unless enforce_admins is set.
        if repo.protection and repo.protection.get("enforce_admins"):
            return 409, {"message": "Protected branch update failed"}
        repo.files[path] = base64.b64decode(data["content"]).decode()
        return 201, {"content": {"path": path, "url": url}, "commit": {"sha": "0" * 40}}

    def _keys(self, method: str, data: Any, owner: str, name: str) -> Reply:
        repo = self._found(owner, name)
        if repo is None:
            return 404, {"message": "Not Found"}
        if method == "GET":
            return 200, [self._key_json(repo, key) for key in repo.keys.values()]
        if any(key["key"] == data["key"] for key in repo.keys.values()):
            return 422, {
                "message": "Validation Failed",
                "errors": [{"message": "key is already in use"}],
            }
        key_id = next(self._ids)
        repo.keys[key_id] = {
            "id": key_id,
            "key": " ".join(data["key"].split()[:2]),
            "title": data["title"],
            "read_only": bool(data.get("read_only")),
            "verified": True,
        }
        return 201, self._key_json(repo, repo.keys[key_id])

    def _key(self, method: str, _data: Any, owner: str, name: str, key_id: str) -> Reply:
        repo = self._found(owner, name)
        if repo is None or int(key_id) not in repo.keys:
            return 404, {"message": "Not Found"}
        if method == "DELETE":
            del repo.keys[int(key_id)]
            return 204, None
        return 200, self._key_json(repo, repo.keys[int(key_id)])

    def _branch(self, method: str, _data: Any, owner: str, name: str, branch: str) -> Reply:
        repo = self._found(owner, name)
        if repo is None or not repo.files or branch != repo.default_branch:
            return 404, {"message": "Branch not found"}
        base = f"{self.url}/repos/{owner}/{name}/branches/{branch}"
        return 200, {
            "name": branch,
            "commit": {"sha": "0" * 40},
            "protected": repo.protection is not None,
            "protection_url": f"{base}/protection",
        }

    def _rename(self, method: str, data: Any, owner: str, name: str, branch: str) -> Reply:
        repo = self._found(owner, name)
        if repo is None or method != "POST" or branch != repo.default_branch:
            return 404, {"message": "Branch not found"}
        repo.default_branch = data["new_name"]
        return 201, {"name": data["new_name"], "commit": {"sha": "0" * 40}}

    def _protection(self, method: str, data: Any, owner: str, name: str, branch: str) -> Reply:
        repo = self._found(owner, name)
        if repo is None or not repo.files:
            return 404, {"message": "Branch not found"}
        if method == "GET":
            if repo.protection is None:
                return 404, {"message": "Branch not protected"}
            return 200, self._protection_json(repo, branch)
        if method == "DELETE":
            repo.protection = None
            return 204, None
        checks = data.get("required_status_checks")
        if isinstance(checks, dict) and "checks" in checks:
            # The API takes "checks" ({context, app_id}) or the older "contexts".
            contexts = [entry["context"] for entry in checks["checks"]]
            checks = {"strict": checks.get("strict"), "contexts": contexts}
        repo.protection = {
            "required_status_checks": checks,
            "enforce_admins": data.get("enforce_admins"),
            "allow_deletions": data.get("allow_deletions"),
            "allow_force_pushes": data.get("allow_force_pushes"),
        }
        return 200, self._protection_json(repo, branch)
