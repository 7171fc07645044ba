"""The cluster's secret ID over time, against a Vault that caps it and a cluster that merges.

The fake Vault caps a secret ID's TTL at the AppRole mount's max lease TTL
(768 h unless tuned) as Vault does; the fake API server merges server-side
applies by field manager as Kubernetes does. These are the behaviours that
made every deploy re-mint before: a 90-day request granted 32 days, and a key
added by someone else read as drift.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.fake_kube import FakeKube, serving
from tests.fakes.fake_vault import FakeVault, Request
from wildside_constructs.settings.vault import AppRoleRef
from wildside_ops.kube import KubeSecrets
from wildside_ops.vault import VaultClient
from wildside_ops.vault import approle_eso as ae

KUBE_TOKEN = "sntl-kube-token-renewal-5c6d"
REF = AppRoleRef()
MOUNT, ROLE_NAME = "approle", "wildside-c1-eso"
ROLE = f"auth/{MOUNT}/role/{ROLE_NAME}"
NAMESPACE, NAME = "external-secrets", "vault-approle"
WROTE = f"wrote Secret {NAMESPACE}/{NAME} in the cluster"
DAY = 24 * 3600


@pytest.fixture
def kube(tmp_path: Path) -> Iterator[tuple[FakeKube, KubeSecrets]]:
    with serving(tmp_path, KUBE_TOKEN) as (fake, config), KubeSecrets(config) as secrets:
        yield fake, secrets


def deploy(fake_vault: FakeVault, vault: VaultClient, secrets: KubeSecrets) -> list[str]:
    return ae.ensure_eso_approle(vault, "c1", REF, secrets, now=fake_vault.approle.now())


def mints(fake_vault: FakeVault) -> int:
    return fake_vault.write_count(f"{ROLE}/secret-id")


def test_a_deploy_every_three_days_keeps_one_secret_id_until_it_nears_the_grant(
    fake_vault: FakeVault, vault: VaultClient, kube: tuple[FakeKube, KubeSecrets]
) -> None:
    fake_kube, secrets = kube
    held = []
    for run in range(21):  # 60 days of deploys, one every three days
        if run:
            fake_vault.approle.advance(3 * DAY)
        deploy(fake_vault, vault, secrets)
        pair = fake_kube.secret_data(NAMESPACE, NAME)
        assert pair is not None
        held.append(pair["secret_id"])
        # Whatever happened, the cluster holds the one live secret ID.
        assert fake_vault.approle.live_secret_ids(MOUNT, ROLE_NAME) == [pair["secret_id"]]
    # Granted 30 days, renewed once under 10 remain: minted on days 0, 21 and
    # 42, each ID held for seven deploys (it would have re-minted every run
    # with the old 90-day request, granted 32 days, renewed under 30 left).
    assert mints(fake_vault) == 3
    assert [len(group) for group in _runs(held)] == [7, 7, 7]


def _runs(values: list[str]) -> list[list[str]]:
    groups: list[list[str]] = []
    for value in values:
        if groups and groups[-1][0] == value:
            groups[-1].append(value)
        else:
            groups.append([value])
    return groups


def test_a_mount_tuned_below_the_request_is_reported_and_renewal_follows_the_grant(
    fake_vault: FakeVault, vault: VaultClient, kube: tuple[FakeKube, KubeSecrets]
) -> None:
    _, secrets = kube
    fake_vault.approle.max_lease_ttl[MOUNT] = 6 * DAY
    changes = deploy(fake_vault, vault, secrets)
    assert changes[-1] == (
        "Vault granted the secret ID 6 days, not 30 days: the max lease TTL of auth/approle "
        "caps it; renewal follows the grant"
    )
    fake_vault.approle.advance(3 * DAY)  # 3 of 6 days left: kept
    assert deploy(fake_vault, vault, secrets) == []
    fake_vault.approle.advance(3 * DAY - 60)  # a minute left: renewed before it lapses
    assert f"{WROTE} (its secret ID would expire in 0 of the 6 days Vault granted)" in deploy(
        fake_vault, vault, secrets
    )


def test_a_key_added_by_another_field_manager_neither_re_mints_nor_disappears(
    fake_vault: FakeVault, vault: VaultClient, kube: tuple[FakeKube, KubeSecrets]
) -> None:
    fake_kube, secrets = kube
    deploy(fake_vault, vault, secrets)
    status, _ = fake_kube.patch_secret(NAMESPACE, NAME, {"note": "added by hand"}, "kubectl-edit")
    assert status == 200
    assert deploy(fake_vault, vault, secrets) == []
    assert mints(fake_vault) == 1
    # A renewal rewrites our keys and leaves the other manager's alone.
    fake_vault.approle.advance(21 * DAY)
    assert deploy(fake_vault, vault, secrets)[0].startswith(WROTE)
    data = fake_kube.secret_data(NAMESPACE, NAME)
    assert data is not None and data["note"] == "added by hand"
    assert fake_kube.managers(NAMESPACE, NAME) == {
        "wildside-infra-k8s": {"role_id", "secret_id"},
        "kubectl-edit": {"note"},
    }


def test_our_key_changed_by_another_field_manager_is_taken_back(
    fake_vault: FakeVault, vault: VaultClient, kube: tuple[FakeKube, KubeSecrets]
) -> None:
    fake_kube, secrets = kube
    deploy(fake_vault, vault, secrets)
    fake_kube.patch_secret(NAMESPACE, NAME, {"secret_id": "typed-by-hand"}, "kubectl-edit")
    changes = deploy(fake_vault, vault, secrets)
    assert changes[0] == f"{WROTE} (the Secret had no 'secret_id' key)"
    data = fake_kube.secret_data(NAMESPACE, NAME)
    assert data is not None and data["secret_id"] != "typed-by-hand"
    assert fake_kube.managers(NAMESPACE, NAME) == {"wildside-infra-k8s": {"role_id", "secret_id"}}


def test_a_vanished_accessor_is_treated_as_gone_without_retries(
    fake_vault: FakeVault, vault: VaultClient, kube: tuple[FakeKube, KubeSecrets]
) -> None:
    fake_kube, secrets = kube
    deploy(fake_vault, vault, secrets)
    fake_kube.secrets.pop((NAMESPACE, NAME))  # the next run mints and retires the old ID

    def tidy_got_there_first(request: Request) -> None:
        # Between the LIST and the destroy, Vault's tidy (or another run) removes it.
        if request.path.endswith("/secret-id-accessor/destroy"):
            accessor = request.body["secret_id_accessor"]
            for secret_id, entry in list(fake_vault.approle.secret_ids.items()):
                if entry.accessor == accessor:
                    del fake_vault.approle.secret_ids[secret_id]

    fake_vault.hooks.append(tidy_got_there_first)
    changes = deploy(fake_vault, vault, secrets)
    assert changes == [f"{WROTE} (the Secret did not exist)"]
    destroys = fake_vault.requests("POST", f"{ROLE}/secret-id-accessor/destroy")
    assert len(destroys) == 1  # Vault's 500 for it was not mistaken for an outage
    pair = fake_kube.secret_data(NAMESPACE, NAME)
    assert pair is not None
    assert fake_vault.approle.live_secret_ids(MOUNT, ROLE_NAME) == [pair["secret_id"]]


def test_other_destroy_failures_still_fail(
    fake_vault: FakeVault, vault: VaultClient, kube: tuple[FakeKube, KubeSecrets]
) -> None:
    fake_kube, secrets = kube
    deploy(fake_vault, vault, secrets)
    fake_kube.secrets.pop((NAMESPACE, NAME))
    fake_vault.forbidden_writes.add(f"{ROLE}/secret-id-accessor/destroy")
    with pytest.raises(Exception, match="permission denied to destroy an earlier secret ID"):
        deploy(fake_vault, vault, secrets)
