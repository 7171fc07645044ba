"""Each failure surfaces as its own VaultError, saying what to fix."""

from __future__ import annotations

import dataclasses
import ssl
from pathlib import Path

import pytest

from tests.fakes.fake_vault import ROLE_ID, SECRET_ID, FakeVault
from tests.fakes.tls import self_signed
from wildside_ops.vault import (
    SecretRef,
    VaultClient,
    VaultError,
    VaultKeyMissing,
    VaultLoginDenied,
    VaultPathMissing,
    VaultPermissionDenied,
    VaultRequestFailed,
    VaultSealed,
    VaultSettings,
    VaultTlsError,
    VaultUnreachable,
    VaultValueInvalid,
)


def test_approle_login_sends_credentials_in_the_body(
    fake_vault: FakeVault, vault: VaultClient
) -> None:
    (login,) = fake_vault.requests("POST", "auth/approle/login")
    assert login.body == {"role_id": ROLE_ID, "secret_id": SECRET_ID}
    assert fake_vault.requests("GET", "sys/health"), "health is checked before login"
    fake_vault.put_secret("a", {"k": "v"})
    assert vault.read_kv("a").data == {"k": "v"}


def test_namespace_is_sent_on_every_request(fake_vault: FakeVault, settings: VaultSettings) -> None:
    fake_vault.put_secret("a", {"k": "v"})
    with VaultClient.login(dataclasses.replace(settings, namespace="team/infra")) as vault:
        vault.read_kv("a")
    assert {r.headers.get("x-vault-namespace") for r in fake_vault.log} == {"team/infra"}


def test_login_denied(fake_vault: FakeVault, settings: VaultSettings) -> None:
    wrong = dataclasses.replace(settings, secret_id="not-the-secret")
    with pytest.raises(VaultLoginDenied) as caught:
        VaultClient.login(wrong)
    message = str(caught.value)
    assert "invalid role or secret ID" in message
    assert "VAULT_SECRET_ID" in message
    assert len(fake_vault.requests("POST", "auth/approle/login")) == 1, "no retry on a denial"


def test_login_to_a_missing_approle_mount(fake_vault: FakeVault, settings: VaultSettings) -> None:
    with pytest.raises(VaultLoginDenied, match="no AppRole auth method is mounted"):
        VaultClient.login(dataclasses.replace(settings, approle_mount="ci-approle"))


def test_sealed_at_login_is_reported_by_the_health_check(
    fake_vault: FakeVault, settings: VaultSettings
) -> None:
    fake_vault.sealed = True
    with pytest.raises(VaultSealed, match="unseal"):
        VaultClient.login(settings)
    assert not fake_vault.requests("POST", "auth/approle/login")


def test_sealed_mid_run_is_not_retried(fake_vault: FakeVault, vault: VaultClient) -> None:
    fake_vault.sealed = True
    with pytest.raises(VaultSealed):
        vault.read_kv("anything")
    assert len(fake_vault.requests("GET", "secret/data/anything")) == 1


def test_unreachable(closed_port: int) -> None:
    settings = VaultSettings(
        address=f"http://127.0.0.1:{closed_port}",
        role_id="r",
        secret_id="s",
        max_attempts=2,
        backoff_base=0,
    )
    with pytest.raises(VaultUnreachable) as caught:
        VaultClient.login(settings)
    assert caught.value.attempts == 2
    assert f"127.0.0.1:{closed_port}" in str(caught.value)
    assert "refused" in str(caught.value).lower()


def test_path_missing_names_mount_and_path(fake_vault: FakeVault, vault: VaultClient) -> None:
    with pytest.raises(VaultPathMissing) as caught:
        vault.read_secrets({"x": SecretRef("wildside/c1/nowhere", "token")})
    assert (caught.value.mount, caught.value.path) == ("secret", "wildside/c1/nowhere")
    assert "secret/data/wildside/c1/nowhere" in str(caught.value)


def test_deleted_latest_version_counts_as_missing(
    fake_vault: FakeVault, vault: VaultClient
) -> None:
    fake_vault.put_secret("gone", {"k": "v"})
    fake_vault.delete_latest("gone")
    with pytest.raises(VaultPathMissing):
        vault.read_kv("gone")


def test_key_missing_lists_the_keys_that_exist(fake_vault: FakeVault, vault: VaultClient) -> None:
    fake_vault.put_secret("wildside/c1/spaces", {"access_key": "a", "secret_key": "b"})
    with pytest.raises(VaultKeyMissing) as caught:
        vault.read_secrets({"id": SecretRef("wildside/c1/spaces", "access_key_id")})
    message = str(caught.value)
    assert "'access_key_id'" in message
    assert "'access_key', 'secret_key'" in message
    assert caught.value.existing == ["access_key", "secret_key"]


@pytest.mark.parametrize(("value", "problem"), [(42, "holds a int"), ("  ", "is empty")])
def test_unusable_values(
    fake_vault: FakeVault, vault: VaultClient, value: object, problem: str
) -> None:
    fake_vault.put_secret("p", {"k": value})
    with pytest.raises(VaultValueInvalid, match=problem):
        vault.read_secrets({"x": SecretRef("p", "k")})


def test_permission_denied_names_path_and_policy(fake_vault: FakeVault, vault: VaultClient) -> None:
    fake_vault.forbidden.add("secret/data/wildside/c1/*")
    with pytest.raises(VaultPermissionDenied) as caught:
        vault.read_kv("wildside/c1/digitalocean")
    message = str(caught.value)
    assert 'path "secret/data/wildside/c1/digitalocean"' in message
    assert 'capabilities = ["read"]' in message
    assert len(fake_vault.requests("GET", "secret/data/wildside/c1/digitalocean")) == 1


def test_permission_denied_on_write_asks_for_create(
    fake_vault: FakeVault, vault: VaultClient
) -> None:
    fake_vault.forbidden_writes.add("secret/data/wildside/c1/kubeconfig")
    with pytest.raises(VaultPermissionDenied, match='"create"'):
        vault.write_kubeconfig("c1", "apiVersion: v1\n")


def test_other_refusals_carry_vaults_explanation(fake_vault: FakeVault, vault: VaultClient) -> None:
    with pytest.raises(VaultRequestFailed) as caught:
        vault.write("sys/auth/x", {}, action="enable nothing")
    assert caught.value.status == 400
    assert "backend type must be specified" in str(caught.value)


def test_every_error_is_a_vault_error() -> None:
    from wildside_ops.vault import errors

    classes = [
        v for v in vars(errors).values() if isinstance(v, type) and v.__module__ == errors.__name__
    ]
    assert len(classes) >= 13
    assert all(issubclass(cls, VaultError) for cls in classes)


def test_ca_bundle_is_honoured_and_tls_failures_are_explained(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path, "vault")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with FakeVault().running(tls=context) as fake:
        base = VaultSettings(
            address=fake.url, role_id=ROLE_ID, secret_id=SECRET_ID, backoff_base=0, timeout=5
        )
        with VaultClient.login(dataclasses.replace(base, ca_bundle=cert)) as vault:
            fake.put_secret("a", {"k": "v"})
            assert vault.read_kv("a").data == {"k": "v"}
        with pytest.raises(VaultTlsError, match="VAULT_CACERT"):
            VaultClient.login(base)
