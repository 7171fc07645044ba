"""The AppRole alternative: the cluster's own secret ID goes straight into the cluster.

Driven through the real hvac client against the fake Vault, and the real
Kubernetes client against the fake API server over TLS.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.fakes.fake_kube import FakeKube, serving
from tests.fakes.fake_vault import FakeVault
from wildside_constructs.settings.vault import AppRoleRef
from wildside_ops.kube import KubeSecrets
from wildside_ops.vault import VaultClient, VaultMountConflict
from wildside_ops.vault import approle_eso as ae

KUBE_TOKEN = "sntl-kube-token-approle-7a8b"
REF = AppRoleRef()
ROLE = "auth/approle/role/wildside-c1-eso"
NAMESPACE, NAME = "external-secrets", "vault-approle"
WROTE = f"wrote Secret {NAMESPACE}/{NAME} in the cluster"
DAY = 24 * 3600


@pytest.fixture
def kube(tmp_path: Path) -> Iterator[tuple[FakeKube, KubeSecrets]]:
    with serving(tmp_path, KUBE_TOKEN) as (fake, config), KubeSecrets(config) as secrets:
        yield fake, secrets


def login(fake_vault: FakeVault, pair: dict[str, str], mount: str = "approle") -> dict[str, object]:
    reply = requests.post(
        f"{fake_vault.url}/v1/auth/{mount}/login",
        json={"role_id": pair["role_id"], "secret_id": pair["secret_id"]},
        timeout=5,
    )
    body: dict[str, object] = reply.json()
    return body


def test_first_run_delivers_a_pair_that_logs_in_with_the_read_only_policy(
    fake_vault: FakeVault, vault: VaultClient, kube: tuple[FakeKube, KubeSecrets]
) -> None:
    fake_kube, secrets = kube
    changes = ae.ensure_eso_approle(vault, "c1", REF, secrets)
    assert changes == [
        "wrote policy wildside-c1-eso",
        f"wrote role {ROLE} (token_policies, token_ttl, token_max_ttl, bind_secret_id, "
        "secret_id_ttl, secret_id_num_uses)",
        f"wrote Secret {NAMESPACE}/{NAME} in the cluster (the Secret did not exist)",
    ]
    pair = fake_kube.secret_data(NAMESPACE, NAME)
    assert pair is not None
    assert set(pair) == {"role_id", "secret_id"}
    auth = login(fake_vault, pair)["auth"]
    assert isinstance(auth, dict)
    # Vault adds the default policy to every login.
    assert auth["policies"] == ["default", "wildside-c1-eso"]
    role = fake_vault.approle.roles[("approle", "wildside-c1-eso")]
    assert role["secret_id_ttl"] == ae.SECRET_ID_TTL_SECONDS
    assert role["secret_id_num_uses"] == 0
    assert 0 < role["token_ttl"] <= role["token_max_ttl"] <= 3600
    # The same read-only policy Kubernetes auth would have granted.
    policy = fake_vault.policies["wildside-c1-eso"]
    assert '"secret/data/wildside/c1/*"' in policy
    assert "create" not in policy and "update" not in policy
    # Names and reasons only: neither half of the pair is in the report.
    assert not any(pair["secret_id"] in c or pair["role_id"] in c for c in changes)


def test_a_rerun_changes_nothing_anywhere(
    fake_vault: FakeVault, vault: VaultClient, kube: tuple[FakeKube, KubeSecrets]
) -> None:
    fake_kube, secrets = kube
    ae.ensure_eso_approle(vault, "c1", REF, secrets)
    vault_writes, kube_writes = fake_vault.writes(), len(fake_kube.writes())
    live = fake_vault.approle.live_secret_ids("approle", "wildside-c1-eso")
    assert ae.ensure_eso_approle(vault, "c1", REF, secrets) == []
    # The lookup is a POST that changes nothing; nothing else was written.
    after = fake_vault.writes()
    after.subtract({f"{ROLE}/secret-id/lookup": 1})
    assert +after == +vault_writes
    assert len(fake_kube.writes()) == kube_writes
    assert fake_vault.approle.live_secret_ids("approle", "wildside-c1-eso") == live


def test_a_secret_id_near_expiry_is_renewed_and_the_old_one_destroyed(
    fake_vault: FakeVault, vault: VaultClient, kube: tuple[FakeKube, KubeSecrets]
) -> None:
    fake_kube, secrets = kube
    ae.ensure_eso_approle(vault, "c1", REF, secrets)
    old = fake_kube.secret_data(NAMESPACE, NAME)
    assert old is not None
    # 21 of 30 days gone: under a third of the granted lifetime left.
    fake_vault.approle.advance(21 * DAY)
    changes = ae.ensure_eso_approle(vault, "c1", REF, secrets, now=fake_vault.approle.now())
    assert changes == [
        f"{WROTE} (its secret ID would expire in 9 of the 30 days Vault granted)",
        f"destroyed 1 earlier secret ID(s) of {ROLE}",
    ]
    new = fake_kube.secret_data(NAMESPACE, NAME)
    assert new is not None and new["secret_id"] != old["secret_id"]
    assert new["role_id"] == old["role_id"]
    assert "auth" in login(fake_vault, new)
    assert "errors" in login(fake_vault, old)
    assert fake_vault.approle.live_secret_ids("approle", "wildside-c1-eso") == [new["secret_id"]]


def test_a_secret_id_with_more_than_a_third_of_its_grant_left_is_kept(
    fake_vault: FakeVault, vault: VaultClient, kube: tuple[FakeKube, KubeSecrets]
) -> None:
    _, secrets = kube
    ae.ensure_eso_approle(vault, "c1", REF, secrets)
    fake_vault.approle.advance(19 * DAY)
    assert ae.ensure_eso_approle(vault, "c1", REF, secrets, now=fake_vault.approle.now()) == []


def test_an_expired_or_unknown_secret_id_is_replaced(
    fake_vault: FakeVault, vault: VaultClient, kube: tuple[FakeKube, KubeSecrets]
) -> None:
    fake_kube, secrets = kube
    ae.ensure_eso_approle(vault, "c1", REF, secrets)
    fake_vault.approle.advance(31 * DAY)
    changes = ae.ensure_eso_approle(vault, "c1", REF, secrets, now=fake_vault.approle.now())
    assert changes[0] == f"{WROTE} (Vault no longer accepted its secret ID)"
    pair = fake_kube.secret_data(NAMESPACE, NAME)
    assert pair is not None and "auth" in login(fake_vault, pair)


def test_a_secret_deleted_by_hand_leaves_no_orphaned_secret_id(
    fake_vault: FakeVault, vault: VaultClient, kube: tuple[FakeKube, KubeSecrets]
) -> None:
    fake_kube, secrets = kube
    ae.ensure_eso_approle(vault, "c1", REF, secrets)
    lost = fake_kube.secrets.pop((NAMESPACE, NAME))
    assert lost
    changes = ae.ensure_eso_approle(vault, "c1", REF, secrets)
    assert f"destroyed 1 earlier secret ID(s) of {ROLE}" in changes
    pair = fake_kube.secret_data(NAMESPACE, NAME)
    assert pair is not None
    assert fake_vault.approle.live_secret_ids("approle", "wildside-c1-eso") == [pair["secret_id"]]


def test_a_secret_edited_by_hand_is_put_right(
    fake_vault: FakeVault, vault: VaultClient, kube: tuple[FakeKube, KubeSecrets]
) -> None:
    fake_kube, secrets = kube
    ae.ensure_eso_approle(vault, "c1", REF, secrets)
    pair = fake_kube.secret_data(NAMESPACE, NAME)
    assert pair is not None
    secrets.write(NAMESPACE, NAME, {**pair, "role_id": "typed-by-hand"})
    changes = ae.ensure_eso_approle(vault, "c1", REF, secrets)
    assert changes[0] == f"{WROTE} (its 'role_id' was not the role's role ID)"
    fixed = fake_kube.secret_data(NAMESPACE, NAME)
    assert fixed is not None and "auth" in login(fake_vault, fixed)


def test_the_store_settings_choose_mount_secret_name_and_keys(
    fake_vault: FakeVault, vault: VaultClient, kube: tuple[FakeKube, KubeSecrets]
) -> None:
    fake_kube, secrets = kube
    ref = AppRoleRef(mount="clusters", secret_name="eso-login", role_id_key="id", secret_id_key="s")
    changes = ae.ensure_eso_approle(vault, "c1", ref, secrets)
    assert changes[0] == "enabled auth method approle at auth/clusters/"
    pair = fake_kube.secret_data(NAMESPACE, "eso-login")
    assert pair is not None and set(pair) == {"id", "s"}
    assert "auth" in login(fake_vault, {"role_id": pair["id"], "secret_id": pair["s"]}, "clusters")
    # A change of keys is a change of Secret.
    changes = ae.ensure_eso_approle(
        vault, "c1", dataclasses.replace(ref, secret_id_key="t"), secrets
    )
    assert (
        changes[0]
        == f"wrote Secret {NAMESPACE}/eso-login in the cluster (the Secret had no 't' key)"
    )
    assert set(fake_kube.secret_data(NAMESPACE, "eso-login") or {}) == {"id", "t"}


def test_a_mount_of_another_type_is_refused(
    fake_vault: FakeVault, vault: VaultClient, kube: tuple[FakeKube, KubeSecrets]
) -> None:
    fake_kube, secrets = kube
    fake_vault.auth_mounts["taken/"] = {"type": "userpass", "description": ""}
    with pytest.raises(VaultMountConflict, match="userpass"):
        ae.ensure_eso_approle(vault, "c1", AppRoleRef(mount="taken"), secrets)
    assert fake_kube.writes() == []


def test_the_pair_is_masked_before_it_reaches_the_cluster(
    vault: VaultClient, kube: tuple[FakeKube, KubeSecrets], capsys: pytest.CaptureFixture[str]
) -> None:
    fake_kube, secrets = kube
    ae.ensure_eso_approle(vault, "c1", REF, secrets)
    pair = fake_kube.secret_data(NAMESPACE, NAME)
    assert pair is not None
    out = capsys.readouterr().out
    assert f"::add-mask::{pair['secret_id']}" in out
    assert f"::add-mask::{pair['role_id']}" in out
