"""Kubernetes auth for the cluster's External Secrets Operator, set up idempotently."""

from __future__ import annotations

import pytest

from tests.fakes.fake_vault import FakeVault
from wildside_ops.vault import VaultClient, VaultMountConflict, VaultPermissionDenied
from wildside_ops.vault import k8s_auth as ka

HOST = "https://10.0.0.1:6443"
CA = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n"
JWT = "eyJhbGciOiJSUzI1NiJ9.reviewer-sentinel.sig"

MOUNT_API = "sys/auth/kubernetes-c1"
CONFIG_API = "auth/kubernetes-c1/config"
POLICY_API = "sys/policies/acl/wildside-c1-eso"
ROLE_API = "auth/kubernetes-c1/role/external-secrets"


def test_constants_for_the_platform_renderer() -> None:
    assert ka.auth_mount("c1") == "kubernetes-c1"
    assert ka.policy_name("c1") == "wildside-c1-eso"
    assert (ka.ESO_ROLE, ka.ESO_SERVICE_ACCOUNT, ka.ESO_NAMESPACE) == (
        "external-secrets",
        "external-secrets",
        "external-secrets",
    )
    assert ka.AUTH_MOUNT_PREFIX == "kubernetes-"


def test_first_run_sets_everything_up_once(fake_vault: FakeVault, vault: VaultClient) -> None:
    changes = ka.ensure_kubernetes_auth(vault, "c1", HOST, CA, JWT)
    assert [c.split(" ")[0] for c in changes] == ["enabled", "configured", "wrote", "wrote"]
    writes = fake_vault.writes()
    for api in (MOUNT_API, CONFIG_API, POLICY_API, ROLE_API):
        assert writes[api] == 1, api

    assert fake_vault.auth_mounts["kubernetes-c1/"]["type"] == "kubernetes"
    assert fake_vault.auth_config["kubernetes-c1"]["kubernetes_host"] == HOST
    assert fake_vault.auth_config["kubernetes-c1"]["token_reviewer_jwt"] == JWT
    role = fake_vault.roles[("kubernetes-c1", "external-secrets")]
    assert role["bound_service_account_names"] == ["external-secrets"]
    assert role["bound_service_account_namespaces"] == ["external-secrets"]
    assert role["token_policies"] == ["wildside-c1-eso"]
    assert 0 < role["token_ttl"] <= 3600


def test_second_run_changes_nothing(fake_vault: FakeVault, vault: VaultClient) -> None:
    ka.ensure_kubernetes_auth(vault, "c1", HOST, CA, JWT)
    before = fake_vault.writes()
    assert ka.ensure_kubernetes_auth(vault, "c1", HOST, CA, JWT) == []
    assert fake_vault.writes() == before


def test_policy_is_read_only_and_keeps_ci_credentials_out(
    fake_vault: FakeVault, vault: VaultClient
) -> None:
    ka.ensure_kubernetes_auth(vault, "c1", HOST, CA)
    policy = fake_vault.policies["wildside-c1-eso"]
    assert 'path "secret/data/wildside/c1/*" {\n  capabilities = ["read"]\n}' in policy
    assert 'path "secret/metadata/wildside/c1/*" {\n  capabilities = ["read", "list"]\n}' in policy
    assert 'path "secret/data/wildside/c1/kubeconfig" {\n  capabilities = ["deny"]\n}' in policy
    assert 'path "secret/data/wildside/c1/digitalocean" {\n  capabilities = ["deny"]\n}' in policy
    assert "cloudflare" not in policy
    for verb in ("create", "update", "delete", "sudo"):
        assert f'"{verb}"' not in policy


def test_only_what_differs_is_rewritten(fake_vault: FakeVault, vault: VaultClient) -> None:
    ka.ensure_kubernetes_auth(vault, "c1", HOST, CA, JWT)
    changes = ka.ensure_kubernetes_auth(vault, "c1", "https://10.0.0.2:6443", CA, JWT)
    assert changes == [f"configured {CONFIG_API} (kubernetes_host)"]
    assert fake_vault.write_count(CONFIG_API) == 2
    assert fake_vault.write_count(ROLE_API) == 1


def test_reviewer_jwt_rotation_is_explicit(fake_vault: FakeVault, vault: VaultClient) -> None:
    ka.ensure_kubernetes_auth(vault, "c1", HOST, CA, JWT)
    assert ka.ensure_kubernetes_auth(vault, "c1", HOST, CA, "new.jwt.value") == []
    changes = ka.ensure_kubernetes_auth(
        vault, "c1", HOST, CA, "new.jwt.value", rotate_reviewer_jwt=True
    )
    assert changes == [f"configured {CONFIG_API} (token_reviewer_jwt (rotated))"]
    assert fake_vault.auth_config["kubernetes-c1"]["token_reviewer_jwt"] == "new.jwt.value"
    # Dropping the reviewer JWT is a change too.
    assert ka.ensure_kubernetes_auth(vault, "c1", HOST, CA) == [
        f"configured {CONFIG_API} (token_reviewer_jwt)"
    ]


def test_reviewer_jwt_is_never_reported_or_logged(
    fake_vault: FakeVault, vault: VaultClient, capsys: pytest.CaptureFixture[str]
) -> None:
    changes = ka.ensure_kubernetes_auth(vault, "c1", HOST, CA, JWT)
    captured = capsys.readouterr()
    assert JWT not in "".join(changes) + captured.out + captured.err


def test_existing_kubernetes_mount_is_reused(fake_vault: FakeVault, vault: VaultClient) -> None:
    fake_vault.auth_mounts["kubernetes-c1/"] = {"type": "kubernetes", "description": "by hand"}
    changes = ka.ensure_kubernetes_auth(vault, "c1", HOST, CA)
    assert not any(c.startswith("enabled") for c in changes)
    assert fake_vault.write_count(MOUNT_API) == 0


def test_mount_of_another_type_is_an_error(fake_vault: FakeVault, vault: VaultClient) -> None:
    fake_vault.auth_mounts["kubernetes-c1/"] = {"type": "jwt", "description": ""}
    with pytest.raises(VaultMountConflict, match="'jwt', not 'kubernetes'"):
        ka.ensure_kubernetes_auth(vault, "c1", HOST, CA)
    assert list(fake_vault.writes()) == ["auth/approle/login"]


def test_a_refused_auth_table_is_explained(fake_vault: FakeVault, vault: VaultClient) -> None:
    fake_vault.forbidden.add("sys/auth")
    with pytest.raises(
        VaultPermissionDenied, match=r'path "sys/auth" \{ capabilities = \["read"\]'
    ):
        ka.ensure_kubernetes_auth(vault, "c1", HOST, CA)


def test_clusters_are_kept_apart(fake_vault: FakeVault, vault: VaultClient) -> None:
    ka.ensure_kubernetes_auth(vault, "c1", HOST, CA)
    ka.ensure_kubernetes_auth(vault, "c2", HOST, CA)
    assert "wildside/c1/" not in fake_vault.policies["wildside-c2-eso"]
    assert fake_vault.roles[("kubernetes-c2", "external-secrets")]["token_policies"] == [
        "wildside-c2-eso"
    ]


def test_a_host_must_be_https(vault: VaultClient) -> None:
    with pytest.raises(ValueError, match="https://"):
        ka.ensure_kubernetes_auth(vault, "c1", "http://10.0.0.1", CA)
