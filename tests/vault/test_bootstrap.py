"""``wildside vault bootstrap`` with the real hvac client against the fake Vault.

From uninitialized to ready; a re-run that sends no write; drift reported by
``--check`` (exit 2, no write) and then repaired, touching only what drifted.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pyrage
import pytest

from tests.vault.bootstrap_support import ROLE, World, world
from wildside_ops.vault.appliance_policy import SNAPSHOT_ROLE, ci_policy, snapshot_policy
from wildside_ops.vault.bootstrap import run_bootstrap


@pytest.fixture
def w() -> Iterator[World]:
    with world() as made:
        yield made


def _writes(w: World) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in w.fake.log if r.method not in ("GET", "LIST", "HEAD")]


def _ready(w: World, tmp_path: Path) -> None:
    assert run_bootstrap(w.appliance, w.env(), check=False, root=tmp_path) == 0
    w.fake.log.clear()


def test_uninitialized_to_ready(w: World, tmp_path: Path) -> None:
    assert run_bootstrap(w.appliance, w.env(), check=False, root=tmp_path) == 0
    ops, fake = w.ops, w.fake
    assert ops.initialized and not fake.sealed
    assert (ops.threshold, len(ops.shares)) == (3, 5)
    assert ops.audit["file/"]["options"] == {"file_path": "/var/log/vault/audit.log"}
    assert ops.mounts["secret/"] == {"type": "kv", "options": {"version": "2"}}
    assert fake.auth_mounts["approle/"]["type"] == "approle"
    assert fake.policies[ROLE] == ci_policy("secret", "approle")
    assert fake.policies[SNAPSHOT_ROLE] == snapshot_policy(
        "secret", "wildside/vault-appliance/snapshot"
    )
    role = fake.approle.roles[("approle", ROLE)]
    assert role["token_policies"] == [ROLE]
    assert (role["token_ttl"], role["token_max_ttl"], role["secret_id_ttl"]) == (
        3600,
        14400,
        720 * 3600,
    )
    # The initial root token was used, then revoked: it no longer works.
    assert ops.revoked == [ops.root_token] and ops.root_token not in fake.tokens
    # Only the operators' age identity opens the keys file, and its shares unseal Vault.
    sealed = (tmp_path / "keys" / "vault-init.age").read_bytes()
    opened = json.loads(pyrage.decrypt(sealed, [w.identity]))
    assert opened["root_token"] == ops.root_token and opened["threshold"] == 3
    assert len(opened["unseal_keys_b64"]) == 5
    ops.seal()
    env = w.env(VAULT_UNSEAL_KEYS="\n".join(opened["unseal_keys_b64"][:3]))
    assert run_bootstrap(w.appliance, env, check=False, root=tmp_path) == 2  # no token: input
    assert w.fake.sealed  # and nothing was done about the seal either
    env["VAULT_TOKEN"] = w.operator()
    assert run_bootstrap(w.appliance, env, check=False, root=tmp_path) == 0
    assert not w.fake.sealed


def test_rerun_writes_nothing(w: World, tmp_path: Path) -> None:
    _ready(w, tmp_path)
    before = (tmp_path / "keys" / "vault-init.age").read_bytes()
    env = w.env(VAULT_TOKEN=w.operator())
    assert run_bootstrap(w.appliance, env, check=False, root=tmp_path) == 0
    assert _writes(w) == []
    assert w.fake.log, "the re-run must still read every piece to verify it"
    assert run_bootstrap(w.appliance, env, check=True, root=tmp_path) == 0
    assert _writes(w) == []
    assert (tmp_path / "keys" / "vault-init.age").read_bytes() == before
    assert w.operator() in w.fake.tokens  # an operator's token is never revoked


def test_drift_is_reported_then_repaired(w: World, tmp_path: Path) -> None:
    _ready(w, tmp_path)
    w.ops.audit.clear()
    w.fake.policies[ROLE] = 'path "*" { capabilities = ["sudo"] }'
    w.fake.approle.roles[("approle", ROLE)]["token_ttl"] = 999999
    w.ops.mounts["secret/"]["options"] = {"version": "1"}
    env = w.env(VAULT_TOKEN=w.operator())
    assert run_bootstrap(w.appliance, env, check=True, root=tmp_path) == 2
    assert _writes(w) == []
    assert w.fake.policies[ROLE].startswith('path "*"')
    assert run_bootstrap(w.appliance, env, check=False, root=tmp_path) == 0
    assert sorted(set(_writes(w))) == sorted(
        {
            ("POST", "sys/audit/file"),
            ("POST", "sys/mounts/secret/tune"),
            ("PUT", f"sys/policies/acl/{ROLE}"),
            ("POST", f"auth/approle/role/{ROLE}"),
        }
    )
    assert w.fake.policies[ROLE] == ci_policy("secret", "approle")
    assert w.fake.approle.roles[("approle", ROLE)]["token_ttl"] == 3600
    assert w.ops.mounts["secret/"]["options"]["version"] == "2"
    w.fake.log.clear()
    assert run_bootstrap(w.appliance, env, check=True, root=tmp_path) == 0


def test_a_moved_audit_file_is_re_pointed(w: World, tmp_path: Path) -> None:
    _ready(w, tmp_path)
    w.ops.audit["file/"]["options"] = {"file_path": "/tmp/elsewhere.log"}
    env = w.env(VAULT_TOKEN=w.operator())
    assert run_bootstrap(w.appliance, env, check=False, root=tmp_path) == 0
    assert _writes(w) == [("DELETE", "sys/audit/file"), ("POST", "sys/audit/file")]
    assert w.ops.audit["file/"]["options"]["file_path"] == "/var/log/vault/audit.log"


def test_a_non_kv_engine_at_the_mount_is_a_conflict(w: World, tmp_path: Path) -> None:
    _ready(w, tmp_path)
    w.ops.mounts["secret/"] = {"type": "transit", "options": {}}
    env = w.env(VAULT_TOKEN=w.operator())
    assert run_bootstrap(w.appliance, env, check=False, root=tmp_path) == 1
    assert w.ops.mounts["secret/"]["type"] == "transit"
