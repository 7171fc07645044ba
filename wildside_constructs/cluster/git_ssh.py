"""Flux over SSH: the URL it clones, the host keys it trusts, the Secret's keys.

No CDKTF imports: the configuration's validation uses this module too.
"""

from __future__ import annotations

import base64
import binascii
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

__all__ = [
    "IDENTITY",
    "IDENTITY_PUB",
    "KNOWN_HOSTS",
    "SSH_KEY_VARIABLE",
    "SSH_KEY_VERSION_VARIABLE",
    "SshTarget",
    "bundled_known_hosts",
    "known_hosts_problem",
    "private_key_check",
    "ssh_target",
]

# The keys source-controller reads from a GitRepository's Secret for SSH
# (fluxcd/source-controller docs/spec/v1/gitrepositories.md, "SSH authentication");
# `flux create secret git` also writes the public half as identity.pub.
IDENTITY, IDENTITY_PUB, KNOWN_HOSTS = "identity", "identity.pub", "known_hosts"
# cluster-stack's variables for the key (TF_VAR_<name>): the private half, and
# its Vault KV version, whose change re-sends the write-only Secret.
SSH_KEY_VARIABLE = "flux_git_ssh_key"
SSH_KEY_VERSION_VARIABLE = "flux_git_ssh_key_version"


def private_key_check(expression: str) -> str:
    """A plan-time test that ``expression`` (a sensitive variable) holds a private key.

    For a precondition, never a variable's validation: a failing validation
    prints the values its condition names, sensitive or not (Terraform 1.11,
    opentofu#2219); ``nonsensitive(can(...))`` exposes only a bool.
    """
    return f'nonsensitive(can(regex("-----BEGIN [A-Z ]*PRIVATE KEY-----", {expression})))'


KNOWN_HOSTS_FILE = Path(__file__).with_name("ssh_known_hosts.toml")
# scp-like `user@host:path`, which Flux does not accept; rewritten to ssh://.
_SCP = re.compile(r"^(?P<user>[A-Za-z0-9._-]+)@(?P<host>[A-Za-z0-9.-]+):(?P<path>[^/].*)$")
_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?"
_HOST = re.compile(rf"^{_LABEL}(\.{_LABEL})*$")
_KEY_TYPE = re.compile(r"^(ssh-|ecdsa-|sk-)[A-Za-z0-9@.-]+$")


@dataclass(frozen=True)
class SshTarget:
    """Where Flux connects: its ``ssh://`` URL, and the host and port keys are checked for."""

    url: str
    host: str
    port: int = 22

    @property
    def known_hosts_name(self) -> str:
        """The host as a known_hosts line names it (``[host]:port`` off port 22)."""
        return self.host if self.port == 22 else f"[{self.host}]:{self.port}"


def ssh_target(repository_url: str) -> SshTarget | None:
    """The ``ssh://user@host[:port]/path`` URL Flux clones for ``repository_url``, or None.

    An ``ssh://`` URL is kept (``git@`` added when it names no user), a
    scp-like ``git@host:owner/repo.git`` is rewritten (Flux does not accept
    that form) and an ``https://`` URL is mapped to the same host and path
    on port 22, the form GitHub, GitHub Enterprise Server and GitLab use.
    """
    scp = _SCP.match(repository_url)
    if scp:
        user, host, port, path = scp["user"], scp["host"], None, "/" + scp["path"]
    elif repository_url.startswith(("ssh://", "https://")):
        parts = urlsplit(repository_url)
        try:
            port = parts.port
        except ValueError:
            return None
        host, path = parts.hostname or "", parts.path
        user = parts.username or "git"
        if parts.scheme == "https":
            # Same host and path on SSH's own port, as the git user every host uses.
            user, port = "git", None
        if parts.password is not None or parts.query or parts.fragment:
            return None
    else:
        return None
    if not _HOST.match(host) or not path.strip("/"):
        return None
    netloc = f"{user}@{host}" + (f":{port}" if port and port != 22 else "")
    return SshTarget(f"ssh://{netloc}{path}", host.lower(), port or 22)


@cache
def _bundled() -> dict[str, list[dict[str, str]]]:
    with KNOWN_HOSTS_FILE.open("rb") as handle:
        hosts = tomllib.load(handle)["hosts"]
    return {name: list(entry["keys"]) for name, entry in hosts.items()}


def bundled_known_hosts(target: SshTarget) -> str:
    """The shipped known_hosts lines for ``target``'s host, or "" when none ship."""
    keys = _bundled().get(target.host, []) if target.port == 22 else []
    return "".join(f"{target.host} {key['type']} {key['key']}\n" for key in keys)


def _line_problem(line: str) -> str | None:
    fields = line.split()
    if fields and fields[0].startswith("@"):  # @cert-authority / @revoked markers
        fields = fields[1:]
    if len(fields) < 3 or not _KEY_TYPE.match(fields[1]):
        return "is not 'HOST KEYTYPE BASE64KEY' (the format ssh-keyscan prints)"
    try:
        base64.b64decode(fields[2], validate=True)
    except (binascii.Error, ValueError):
        return "has a key that is not base64"
    return None


def _names(line: str) -> set[str]:
    fields = line.split()
    if fields[0].startswith("@"):
        fields = fields[1:]
    return {name.lower() for name in fields[0].split(",")}


def known_hosts_problem(text: str, target: SshTarget) -> str | None:
    """Why ``text`` cannot be Flux's known_hosts for ``target``, or None."""
    if any(ord(char) < 32 and char not in "\n\t" for char in text):
        return "has control characters; give plain known_hosts lines"
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line and not line.startswith("#")]
    if not lines:
        return "has no host key lines"
    for number, line in enumerate(lines, start=1):
        problem = _line_problem(line)
        if problem:
            return f"line {number} {problem}"
    # Hashed names (|1|...) cannot be read back; trust the user named the host.
    hashed = any(line.split()[0].startswith("|") for line in lines)
    if not hashed and not any(target.known_hosts_name in _names(line) for line in lines):
        return (
            f"has no line for {target.known_hosts_name}, the host Flux connects to; "
            f"add its keys (`ssh-keyscan -p {target.port} {target.host}`, checked against "
            "the fingerprints the host publishes)"
        )
    return None
