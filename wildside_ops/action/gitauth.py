"""Git push credentials as an HTTP header in git's environment-only configuration.

The token never enters a URL (where it would be stored in ``.git/config``,
shown by ``git remote -v`` and echoed in error messages) nor a command line.
git reads ``GIT_CONFIG_COUNT`` / ``GIT_CONFIG_KEY_<n>`` / ``GIT_CONFIG_VALUE_<n>``
as if they were ``-c`` options, from the environment only, and
``http.<url>.extraheader`` sends the header to that repository alone: the same
mechanism actions/checkout uses, without writing any file.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass

COUNT = "GIT_CONFIG_COUNT"
# GitHub accepts any user name with a token as password; this one is the
# convention for installation and fine-grained tokens.
USER = "x-access-token"


@dataclass(frozen=True)
class GitAuth:
    """The variables to export; ``secret_values`` are what must be masked first."""

    variables: dict[str, str]
    secret_names: tuple[str, ...]
    secret_values: tuple[str, ...]


def base_count(environ: Mapping[str, str]) -> int:
    """Entries already configured this way (by the workflow), which must be kept."""
    text = environ.get(COUNT, "").strip()
    return int(text) if text.isdigit() else 0


def header(token: str) -> str:
    encoded = base64.b64encode(f"{USER}:{token}".encode()).decode("ascii")
    return f"AUTHORIZATION: basic {encoded}"


def push_auth(remote_url: str, token: str, environ: Mapping[str, str]) -> GitAuth:
    """Variables that make git send ``token`` to ``remote_url`` and nowhere else."""
    index = base_count(environ)
    value = header(token)
    encoded = value.removeprefix("AUTHORIZATION: basic ")
    variables = {
        COUNT: str(index + 1),
        f"GIT_CONFIG_KEY_{index}": f"http.{remote_url}.extraheader",
        f"GIT_CONFIG_VALUE_{index}": value,
    }
    return GitAuth(variables, (f"GIT_CONFIG_VALUE_{index}",), (value, encoded))
