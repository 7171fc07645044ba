"""The kubeconfig write: idempotent, check-and-set, loud on a lost race."""

from __future__ import annotations

import pytest

from tests.fakes.fake_vault import FakeVault, Request
from wildside_ops.vault import VaultCasConflict, VaultClient, VaultConfigError, VaultPathMissing

PATH = "wildside/c1/kubeconfig"
API = f"secret/data/{PATH}"
KUBECONFIG = "apiVersion: v1\nkind: Config\nclusters:\n- name: c1\n"


def test_first_write_creates_and_second_changes_nothing(
    fake_vault: FakeVault, vault: VaultClient
) -> None:
    assert vault.write_kubeconfig("c1", KUBECONFIG) is True
    assert fake_vault.latest(PATH) == {"kubeconfig": KUBECONFIG}
    (first,) = fake_vault.requests("POST", API)
    assert first.body["options"] == {"cas": 0}, "creation must not overwrite a racing writer"

    assert vault.write_kubeconfig("c1", KUBECONFIG) is False
    assert fake_vault.versions(PATH) == 1
    assert fake_vault.write_count(API) == 1


def test_changed_content_writes_a_new_version_with_cas(
    fake_vault: FakeVault, vault: VaultClient
) -> None:
    fake_vault.put_secret(PATH, {"kubeconfig": "old", "note": "kept"})
    assert vault.write_kubeconfig("c1", KUBECONFIG) is True
    assert fake_vault.versions(PATH) == 2
    assert fake_vault.latest(PATH) == {"kubeconfig": KUBECONFIG, "note": "kept"}
    (write,) = fake_vault.requests("POST", API)
    assert write.body["options"] == {"cas": 1}


def test_path_and_key_are_configurable(fake_vault: FakeVault, vault: VaultClient) -> None:
    assert vault.write_kubeconfig("c1", KUBECONFIG, "clusters/${cluster_name}/access", key="kc")
    assert fake_vault.latest("clusters/c1/access") == {"kc": KUBECONFIG}
    with pytest.raises(VaultConfigError):
        vault.write_kubeconfig("c1", KUBECONFIG, "/absolute")


def test_cas_conflict_surfaces_clearly(fake_vault: FakeVault, vault: VaultClient) -> None:
    fake_vault.put_secret(PATH, {"kubeconfig": "v1"})

    def other_writer(request: Request) -> None:
        if request.method == "POST" and request.path == API and fake_vault.versions(PATH) == 1:
            fake_vault.put_secret(PATH, {"kubeconfig": "from another run"})

    fake_vault.hooks.append(other_writer)
    with pytest.raises(VaultCasConflict) as caught:
        vault.write_kubeconfig("c1", KUBECONFIG)
    assert caught.value.expected_version == 1
    message = str(caught.value)
    assert "secret/wildside/c1/kubeconfig" in message
    assert "Another run" in message
    assert KUBECONFIG not in message
    assert fake_vault.latest(PATH) == {"kubeconfig": "from another run"}, "nothing overwritten"


def test_identical_concurrent_write_is_not_an_error(
    fake_vault: FakeVault, vault: VaultClient
) -> None:
    def same_writer(request: Request) -> None:
        if request.method == "POST" and request.path == API and fake_vault.versions(PATH) == 0:
            fake_vault.put_secret(PATH, {"kubeconfig": KUBECONFIG})

    fake_vault.hooks.append(same_writer)
    assert vault.write_kubeconfig("c1", KUBECONFIG) is True
    assert fake_vault.versions(PATH) == 1


def test_a_soft_deleted_kubeconfig_is_repaired_on_the_next_run(
    fake_vault: FakeVault, vault: VaultClient
) -> None:
    fake_vault.put_secret(PATH, {"kubeconfig": "old", "note": "gone with the version"})
    fake_vault.delete_latest(PATH)  # vault kv delete: version 1 soft-deleted
    assert vault.write_kubeconfig("c1", KUBECONFIG) is True
    (write,) = fake_vault.requests("POST", API)
    assert write.body["options"] == {"cas": 1}, "check-and-set against the deleted version"
    # The deleted data cannot be read back: the new version holds the kubeconfig alone.
    assert fake_vault.latest(PATH) == {"kubeconfig": KUBECONFIG}
    assert vault.write_kubeconfig("c1", KUBECONFIG) is False
    assert fake_vault.versions(PATH) == 2


def test_a_soft_deleted_secret_still_reads_as_missing(
    fake_vault: FakeVault, vault: VaultClient
) -> None:
    fake_vault.put_secret("wildside/c1/gitops", {"token": "t0ken-value"})
    fake_vault.delete_latest("wildside/c1/gitops")
    with pytest.raises(VaultPathMissing, match="latest version is deleted") as caught:
        vault.read_kv("wildside/c1/gitops")
    assert caught.value.deleted_version == 1
