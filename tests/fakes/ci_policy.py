"""The CI role's Vault policy exactly as the action's README documents it.

Tests load it into the fake Vault (``FakeVault(ci_policies=[CI_POLICY],
policies={CI_POLICY: documented_ci_policy()})``) so that the documented
policy is what the runs are checked against, by use.
"""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / ".github/actions/wildside-infra-k8s/README.md"
CI_POLICY = "wildside-ci"


def documented_ci_policy() -> str:
    """The one ``hcl`` block under "What CI's AppRole may do in Vault"."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## What CI's AppRole may do in Vault", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```hcl\n(.*?)```", section, flags=re.DOTALL)
    return block
