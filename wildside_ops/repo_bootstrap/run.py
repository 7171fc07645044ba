"""The bootstrap steps, each a verify-then-repair against the GitHub API and Vault."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import urlsplit

from github import Github, GithubException, UnknownObjectException
from github.Repository import Repository

from wildside_ops.repo_bootstrap.deploy_key import (
    IDENTITY,
    IDENTITY_PUB,
    KNOWN_HOSTS,
    generate,
    public_of,
    same_key,
)
from wildside_ops.repo_bootstrap.model import BootstrapError, BootstrapRequest, Step
from wildside_ops.repo_bootstrap.seed import seed_files

__all__ = ["KeyStore", "bootstrap"]

Log = Callable[[str], None]


class KeyStore(Protocol):
    """What the bootstrap needs of Vault (the VaultClient fits)."""

    def read_kv_optional(self, path: str, *, mount: str | None = None) -> Any: ...

    def write_kv(self, path: str, data: Any, *, cas: int, mount: str | None = None) -> int: ...

    def remember_secret(self, value: str) -> None: ...


def _refused(what: str, error: GithubException, fix: str) -> BootstrapError:
    message = error.data.get("message", "") if isinstance(error.data, dict) else ""
    return BootstrapError(f"GitHub refused to {what} (HTTP {error.status}: {message}); {fix}")


def _repository(
    github: Github, request: BootstrapRequest, log: Log
) -> tuple[Repository | None, Step]:
    try:
        repo = github.get_repo(request.full_name)
    except UnknownObjectException:
        repo = None
    except GithubException as error:
        raise _refused(f"read {request.full_name}", error, "check GITHUB_TOKEN") from error
    if repo is not None:
        if repo.default_branch != request.branch:
            raise BootstrapError(
                f"gitops.branch {request.branch!r} is not the default branch of "
                f"{request.full_name} ({repo.default_branch!r}); set gitops.branch or change "
                "the repository's default branch",
                exit_code=2,
            )
        return repo, Step("repository", False, request.full_name)
    if request.check_only:
        return None, Step("repository", True, f"{request.full_name} does not exist")
    log(f"creating {request.full_name}")
    try:
        repo = _owner(github, request).create_repo(
            request.name,
            description="Flux GitOps repository (managed by wildside-infra-k8s)",
            private=request.private,
            auto_init=True,
        )
    except GithubException as error:
        raise _refused(
            f"create {request.full_name}",
            error,
            f"the token needs permission to create repositories in {request.owner} "
            "(administration: write), or create it by hand and re-run",
        ) from error
    if repo.default_branch != request.branch:
        # A new repository starts on the owner's default branch name; Flux follows ours.
        log(f"renaming {repo.default_branch} to {request.branch}")
        if not repo.rename_branch(repo.default_branch, request.branch):
            raise BootstrapError(
                f"GitHub refused to rename {repo.default_branch} of {request.full_name} to "
                f"{request.branch}; rename it in the repository's settings and re-run"
            )
        repo = github.get_repo(request.full_name)
    return repo, Step("repository", True, "created")


def _owner(github: Github, request: BootstrapRequest) -> Any:
    """Where to create the repository: the organisation, else the token's own account.

    The organisation is asked first: a GitHub App installation token may not read
    ``/user`` (403), and Apps create repositories only in organisations anyway.
    """
    try:
        return github.get_organization(request.owner)
    except UnknownObjectException:
        user = github.get_user()
        if user.login.lower() != request.owner.lower():
            raise BootstrapError(
                f"{request.owner} is neither an organisation nor the token's own account "
                f"({user.login}); check --repository",
                exit_code=2,
            ) from None
        return user


def _seed(repo: Repository, request: BootstrapRequest, log: Log) -> Step:
    missing: list[str] = []
    for path, text in seed_files(request).items():
        try:
            repo.get_contents(path, ref=request.branch)
            continue
        except UnknownObjectException:
            missing.append(path)
        if request.check_only:
            continue
        log(f"seeding {path}")
        try:
            repo.create_file(path, f"wildside: seed {path}", text, branch=request.branch)
        except GithubException as error:
            raise _refused(f"create {path}", error, "re-run once the branch accepts it") from error
    return Step("layout", bool(missing), ", ".join(missing) and f"missing: {', '.join(missing)}")


def _known_hosts(github: Github) -> str:
    """GitHub's published SSH host keys, for Flux's known_hosts."""
    _headers, meta = github.requester.requestJsonAndCheck("GET", "/meta")
    host = urlsplit(github.requester.base_url).hostname or "github.com"
    host = "github.com" if host == "api.github.com" else host
    keys = meta.get("ssh_keys", []) if isinstance(meta, dict) else []
    return "".join(f"{host} {key}\n" for key in keys)


def _refuse_writable(attached: list[Any], public: str, request: BootstrapRequest) -> None:
    for key in attached:
        ours = key.title == request.key_title or (public and same_key(key.key, public))
        if ours and not key.read_only:
            raise BootstrapError(
                f"deploy key {key.title!r} (id {key.id}) of {request.full_name} has write "
                "access; Flux only reads: delete it in the repository's settings and re-run",
                exit_code=2,
            )


def _attach(
    repo: Repository, attached: list[Any], public: str, request: BootstrapRequest
) -> list[str]:
    """Exactly one key of ours on GitHub: the one whose private half Vault holds."""
    changes: list[str] = []
    matching = [k for k in attached if public and same_key(k.key, public)]
    for key in attached:
        if key.title == request.key_title and key not in matching:
            changes.append(f"removed stale key {key.id}")
            if not request.check_only:
                key.delete()
    if not matching:
        changes.append("attached the public half read-only")
        if not request.check_only:
            try:
                repo.create_key(request.key_title, public, read_only=True)
            except GithubException as error:
                raise _refused(
                    "add the deploy key", error, "the token needs administration: write"
                ) from error
    return changes


def _deploy_key(
    github: Github, repo: Repository, request: BootstrapRequest, vault: KeyStore, log: Log
) -> Step:
    path = request.key_vault_path
    stored = vault.read_kv_optional(path)
    data: dict[str, Any] = dict(stored.data) if stored is not None else {}
    private = str(data.get(IDENTITY, ""))
    if private:
        vault.remember_secret(private)
    attached = list(repo.get_keys())
    public = public_of(private, request.key_title) if private else ""
    _refuse_writable(attached, public, request)
    changes: list[str] = []
    known_hosts = _known_hosts(github)
    rotate = request.rotate_key and bool(private)
    if (rotate or not private) and not request.check_only:
        fresh = generate(request.key_title)
        vault.remember_secret(fresh.private)
        private, public = fresh.private, fresh.public
    wanted = {IDENTITY: private, IDENTITY_PUB: public, KNOWN_HOSTS: known_hosts}
    if any(data.get(key) != value for key, value in wanted.items()) or not private or rotate:
        had_key = bool(data.get(IDENTITY))
        changes.append(
            "rotated it in Vault"
            if rotate
            else "refreshed it in Vault"
            if had_key
            else "generated it into Vault"
        )
        if not request.check_only:
            # Vault first: a crash before GitHub accepts the key leaves a stored
            # key the next run attaches, never an attached key nobody holds.
            vault.write_kv(path, wanted, cas=stored.version if stored is not None else 0)
    changes += _attach(repo, attached, public, request)
    for change in changes:
        log(f"deploy key: {change}")
    return Step("deploy key", bool(changes), "; ".join(changes))


def _protection(repo: Repository, request: BootstrapRequest, log: Log) -> Step:
    branch = repo.get_branch(request.branch)
    wanted = {
        "strict": True,
        "contexts": sorted(request.required_checks),
        "enforce_admins": False,
        "allow_deletions": False,
        "allow_force_pushes": False,
    }
    try:
        current = branch.get_protection()
        checks = current.required_status_checks
        found = {
            "strict": bool(checks and checks.strict),
            "contexts": sorted(checks.contexts) if checks else [],
            # Admins (the publisher's identity) push directly; others go through review.
            "enforce_admins": bool(current.enforce_admins),
            "allow_deletions": bool(current.allow_deletions),
            "allow_force_pushes": bool(current.allow_force_pushes),
        }
    except GithubException as error:
        # GitHub answers 404 "Branch not protected" (not a plain Not Found).
        if error.status != 404:
            raise _refused(
                f"read {request.branch}'s protection", error, "check GITHUB_TOKEN"
            ) from error
        found = {}
    drift = sorted(key for key in wanted if found.get(key) != wanted[key])
    if drift and not request.check_only:
        log(f"protecting {request.branch} ({', '.join(drift)})")
        try:
            branch.edit_protection(
                strict=True,
                contexts=list(wanted["contexts"]),  # type: ignore[call-overload]
                enforce_admins=False,
                allow_deletions=False,
                allow_force_pushes=False,
            )
        except GithubException as error:
            raise _refused(
                f"protect {request.branch}", error, "the token needs administration: write"
            ) from error
    return Step("branch protection", bool(drift), (drift and f"differs: {', '.join(drift)}") or "")


def bootstrap(github: Github, vault: KeyStore, request: BootstrapRequest, log: Log) -> list[Step]:
    """Make the repository exist as requested; each step reports whether it had to act."""
    repo, step = _repository(github, request, log)
    steps = [step]
    if repo is None:
        # Check mode on a repository that does not exist: everything else is missing too.
        return [
            *steps,
            *(
                Step(name, True, "repository missing")
                for name in ("layout", "deploy key", "branch protection")
            ),
        ]
    steps.append(_seed(repo, request, log))
    steps.append(_deploy_key(github, repo, request, vault, log))
    steps.append(_protection(repo, request, log))
    return steps
