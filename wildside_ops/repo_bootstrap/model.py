"""What a bootstrap is asked to make true, and what it reports."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

__all__ = ["BootstrapError", "BootstrapRequest", "Step", "parse_repository"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_OWNER = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?$")


class BootstrapError(Exception):
    """A refusal with the fix named: exit code 2 for input, 1 for a remote refusal."""

    def __init__(self, message: str, *, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class Step:
    """One thing checked; ``changed`` says whether the run had to write to make it true."""

    name: str
    changed: bool
    detail: str = ""

    def state(self, check_only: bool = False) -> str:
        """``ok``; else ``repaired``, or ``drift`` when the run only checked."""
        if not self.changed:
            return "ok"
        return "drift" if check_only else "repaired"

    def line(self, check_only: bool = False) -> str:
        return f"{self.name}: {self.state(check_only)}{f' ({self.detail})' if self.detail else ''}"

    def __str__(self) -> str:
        return self.line()


@dataclass(frozen=True)
class BootstrapRequest:
    owner: str
    name: str
    branch: str = "main"
    private: bool = True
    # Status checks a commit needs before it may land on the branch by pull request.
    required_checks: tuple[str, ...] = ("validate",)
    # KV v2 path (under the Vault client's mount) of the deploy key's private half.
    vault_path: str = ""
    key_title: str = "flux (wildside, read-only)"
    check_only: bool = False
    # Replace the deploy key even though Vault holds one (a new KV version, so
    # the next deploy re-sends it to Flux).
    rotate_key: bool = False
    extra_files: dict[str, str] = field(default_factory=dict)

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def key_vault_path(self) -> str:
        from wildside_ops.repo_bootstrap.deploy_key import vault_path

        return self.vault_path or vault_path(self.owner, self.name)


def parse_repository(text: str) -> tuple[str, str]:
    """``owner/name`` from ``owner/name``, an https URL or an ``ssh://``/scp-style git URL."""
    value = text.strip()
    if value.startswith("git@"):
        value = value.split(":", 1)[1] if ":" in value else ""
    elif "://" in value:
        value = urlsplit(value).path
    value = value.strip("/").removesuffix(".git")
    parts = value.split("/")
    if len(parts) != 2 or not _OWNER.match(parts[0]) or not _NAME.match(parts[1]):
        raise BootstrapError(
            f"--repository: {text!r} is not a GitHub repository; give OWNER/NAME or its "
            "https:// URL (default: gitops.repository_url)",
            exit_code=2,
        )
    if parts[1] in (".", ".."):
        raise BootstrapError(f"--repository: {text!r} has no repository name", exit_code=2)
    return parts[0], parts[1]
