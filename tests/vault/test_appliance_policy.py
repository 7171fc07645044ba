"""The AppRole policy the bootstrap writes is the one the action's README documents,
and it grants the secret paths (wildside_ops/vault/secret_paths.py) and nothing else."""

from __future__ import annotations

import re

from app.runtime import PROJECT_ROOT
from wildside_ops.vault.appliance_policy import ci_policy, snapshot_policy
from wildside_ops.vault.secret_paths import SECRET_PATHS, SECRET_PREFIX, resolve

README = PROJECT_ROOT / ".github" / "actions" / "wildside-infra-k8s" / "README.md"


def _documented() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## What CI's AppRole may do in Vault", 1)[1]
    match = re.search(r"```hcl\n(.*?)```", section, re.S)
    assert match is not None
    return match.group(1)


def test_policy_is_the_documented_one() -> None:
    assert ci_policy("secret", "approle") == _documented()


def test_every_secret_path_is_covered_by_the_kv_grant() -> None:
    policy = ci_policy("kv", "approle")
    assert f'path "kv/data/{SECRET_PREFIX}/*"' in policy
    for ref in resolve("c1").values():
        assert ref.path.startswith(f"{SECRET_PREFIX}/")
    assert len(SECRET_PATHS) == len(resolve("c1"))
    # Nothing beyond the secret paths' prefix in the KV mount, and no wildcard paths.
    kv_paths = re.findall(r'path "kv/([^"]+)"', policy)
    assert kv_paths == [f"data/{SECRET_PREFIX}/*"]
    assert 'path "*"' not in policy and '"sudo"' not in policy.split("sys/auth")[0]
    assert '"delete"' not in policy  # no capability to delete or destroy data


def test_snapshot_policy_reads_two_paths() -> None:
    policy = snapshot_policy("secret", "wildside/vault-appliance/snapshot")
    assert re.findall(r'path "([^"]+)"', policy) == [
        "sys/storage/raft/snapshot",
        "secret/data/wildside/vault-appliance/snapshot",
    ]
    assert set(re.findall(r'"(\w+)" ?\]', policy)) == {"read"}
