"""The secret paths: defaults, overrides and reading it from Vault."""

from __future__ import annotations

import pytest

from tests.fakes.fake_vault import FakeVault
from wildside_ops.vault import VaultClient, VaultConfigError, VaultKeyMissing, secret_paths
from wildside_ops.vault.secret_paths import SecretRef

SEED = {
    "wildside/c1/digitalocean": {"token": "do-token"},
    "wildside/c1/spaces": {"access_key_id": "spaces-id", "secret_access_key": "spaces-secret"},
    "wildside/c1/cloudflare": {"api_token": "cf-token"},
    "wildside/c1/gitops": {"token": "git-token"},
    "wildside/c1/state": {"passphrase": "state-pass"},
}


def seed(fake: FakeVault) -> None:
    for path, data in SEED.items():
        fake.put_secret(path, data)


def test_defaults_cover_the_six_names_under_the_cluster_prefix() -> None:
    refs = secret_paths.resolve("c1")
    assert set(refs) == {
        "digitalocean_token",
        "spaces_access_key",
        "spaces_secret_key",
        "cloudflare_api_token",
        "gitops_token",
        "state_passphrase",
    }
    assert refs["digitalocean_token"] == SecretRef("wildside/c1/digitalocean", "token")
    assert refs["cloudflare_api_token"] == SecretRef("wildside/c1/cloudflare", "api_token")
    assert all(ref.path.startswith("wildside/c1/") for ref in refs.values())


def test_overrides_replace_path_and_key() -> None:
    refs = secret_paths.resolve(
        "c1",
        {
            "gitops_token": "shared/github#pat",
            "state_passphrase": "wildside/${cluster_name}/tofu#key",
        },
    )
    assert refs["gitops_token"] == SecretRef("shared/github", "pat")
    assert refs["state_passphrase"] == SecretRef("wildside/c1/tofu", "key")
    assert refs["digitalocean_token"] == SecretRef("wildside/c1/digitalocean", "token")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("wildside/c1/x", "has no '#'"),
        ("a#b#c", "more than one '#'"),
        ("/abs/path#k", "relative to the KV mount"),
        ("path/#k", "relative to the KV mount"),
        ("#k", "relative to the KV mount"),
        ("path#", "needs a key"),
        ("pa th#k", "characters not allowed"),
        ("a/../b#k", "characters not allowed"),
        ("wildside/${cluster}/x#k", "placeholder other than"),
    ],
)
def test_malformed_overrides_are_explained(text: str, problem: str) -> None:
    with pytest.raises(VaultConfigError, match="override for gitops_token") as caught:
        secret_paths.resolve("c1", {"gitops_token": text})
    assert problem in str(caught.value)


def test_unknown_override_names_list_the_known_ones() -> None:
    with pytest.raises(VaultConfigError, match="digitalocean_token, spaces_access_key"):
        secret_paths.resolve("c1", {"do_token": "a#b"})


@pytest.mark.parametrize("cluster", ["", "C1", "a/b", "x" * 64, "-a", "a*"])
def test_cluster_names_must_be_dns_labels(cluster: str) -> None:
    with pytest.raises(VaultConfigError, match="DNS label"):
        secret_paths.resolve(cluster)


def test_ci_only_paths_leave_cloudflare_readable() -> None:
    assert secret_paths.ci_only_paths("c1") == [
        "wildside/c1/digitalocean",
        "wildside/c1/gitops",
        "wildside/c1/kubeconfig",
        "wildside/c1/spaces",
        "wildside/c1/state",
    ]
    moved = secret_paths.ci_only_paths("c1", {"gitops_token": "shared/github#pat"})
    assert "wildside/c1/gitops" not in moved


def test_read_cluster_secrets(fake_vault: FakeVault, vault: VaultClient) -> None:
    seed(fake_vault)
    assert vault.read_cluster_secrets("c1") == {
        "digitalocean_token": "do-token",
        "spaces_access_key": "spaces-id",
        "spaces_secret_key": "spaces-secret",
        "cloudflare_api_token": "cf-token",
        "gitops_token": "git-token",
        "state_passphrase": "state-pass",
    }
    assert len(fake_vault.requests("GET", "secret/data/wildside/c1/spaces")) == 1


def test_read_cluster_secrets_with_overrides_and_a_subset(
    fake_vault: FakeVault, vault: VaultClient
) -> None:
    seed(fake_vault)
    fake_vault.put_secret("shared/github", {"pat": "shared-pat"})
    secrets = vault.read_cluster_secrets(
        "c1", {"gitops_token": "shared/github#pat"}, names=["gitops_token", "digitalocean_token"]
    )
    assert secrets == {"gitops_token": "shared-pat", "digitalocean_token": "do-token"}
    assert not fake_vault.requests("GET", "secret/data/wildside/c1/gitops")
    assert not fake_vault.requests("GET", "secret/data/wildside/c1/state")


def test_override_to_a_missing_key_lists_existing_keys(
    fake_vault: FakeVault, vault: VaultClient
) -> None:
    seed(fake_vault)
    with pytest.raises(VaultKeyMissing, match="keys present: 'access_key_id', 'secret_access_key'"):
        vault.read_cluster_secrets(
            "c1", {"spaces_access_key": "wildside/${cluster_name}/spaces#id"}
        )


def test_secrets_are_masked_by_default_in_github_actions(
    fake_vault: FakeVault,
    vault: VaultClient,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    seed(fake_vault)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    vault.read_cluster_secrets("c1")
    out = capsys.readouterr().out.splitlines()
    assert sorted(out) == sorted(
        f"::add-mask::{value}" for data in SEED.values() for value in data.values()
    )


def test_secrets_are_not_printed_outside_github_actions(
    fake_vault: FakeVault, vault: VaultClient, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(fake_vault)
    vault.read_cluster_secrets("c1")
    assert capsys.readouterr().out == ""


def test_masking_can_be_forced(
    fake_vault: FakeVault, vault: VaultClient, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_vault.put_secret("p", {"pem": "-----BEGIN KEY-----\nabc\n-----END KEY-----\n"})
    vault.read_secrets({"pem": SecretRef("p", "pem")}, mask=True)
    assert capsys.readouterr().out == (
        "::add-mask::-----BEGIN KEY-----\n::add-mask::abc\n::add-mask::-----END KEY-----\n"
    )
