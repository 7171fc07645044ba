"""The fakes answer as the real services do on the endpoints our code calls.

Each test pins one upstream behaviour the fakes' comments cite; when a fake
drifts from it, a test of our code could pass against a server that does
not exist.
"""

from __future__ import annotations

import pytest
import requests

from tests.fakes.fake_acl import Acl, PolicyError, parse_policy
from tests.fakes.fake_vault import FakeVault
from tests.fakes.vault_route import Route
from wildside_ops.vault import VaultClient, VaultRequestFailed, VaultSettings

POLICY = """
path "secret/data/app/*" { capabilities = ["read"] }
path "secret/data/app/hidden" { capabilities = ["deny"] }
path "secret/data/+/shared" { capabilities = ["read", "update"] }
path "auth/kubernetes-*/config" { capabilities = ["read"] }
path "sys/policies/acl/exact" { policy = "write" }
"""


def acl(*texts: str) -> Acl:
    return Acl.of([str(i) for i in range(len(texts))], {str(i): t for i, t in enumerate(texts)})


def test_acl_exact_glob_segment_and_deny() -> None:
    a = acl(POLICY)
    assert a.allows("secret/data/app/x/y", "read")  # trailing * is a prefix
    assert not a.allows("secret/data/app/x", "update")
    assert not a.allows("secret/data/app/hidden", "read")  # exact deny beats the glob
    assert a.allows("secret/data/other/shared", "update")  # + is one segment
    assert not a.allows("secret/data/a/b/shared", "read")
    # A * inside a path is a literal character, not a wildcard.
    assert not a.allows("auth/kubernetes-c1/config", "read")
    assert a.allows("auth/kubernetes-*/config", "read")
    assert a.capabilities("sys/policies/acl/exact") == {
        "create",
        "read",
        "update",
        "delete",
        "list",
    }


def test_acl_merges_one_path_across_policies_and_deny_wins() -> None:
    one = 'path "kv/data/x" { capabilities = ["read"] }'
    two = 'path "kv/data/x" { capabilities = ["update"] }'
    three = 'path "kv/data/x" { capabilities = ["deny"] }'
    assert acl(one, two).capabilities("kv/data/x") == {"read", "update"}
    assert acl(one, two, three).capabilities("kv/data/x") == {"deny"}


def test_acl_priority_prefers_the_later_wildcard_and_the_longer_path() -> None:
    a = acl(
        'path "kv/*" { capabilities = ["read"] }\n'
        'path "kv/data/*" { capabilities = ["list"] }\n'
        'path "kv/+/x" { capabilities = ["update"] }\n'
    )
    assert a.capabilities("kv/data/y") == {"list"}  # longer prefix
    assert a.capabilities("kv/data/x") == {"list"}  # "+" comes earlier than data/'s "*"
    assert a.capabilities("kv/meta/x") == {"update"}


@pytest.mark.parametrize(
    "text",
    [
        'path "x" { capabilities = ["reed"] }',
        'path "x+*" { capabilities = ["read"] }',
        'path "x" { capabilities = ["read"]',
        'path "x" { colour = "red" }',
    ],
)
def test_policies_vault_would_refuse_are_refused(text: str, fake_vault: FakeVault) -> None:
    with pytest.raises(PolicyError):
        parse_policy(text)
    token = _ci_token(fake_vault)
    reply = requests.put(
        f"{fake_vault.url}/v1/sys/policies/acl/p", json={"policy": text}, headers=token, timeout=5
    )
    assert reply.status_code == 400


def _ci_token(fake: FakeVault) -> dict[str, str]:
    reply = requests.post(
        f"{fake.url}/v1/auth/approle/login",
        json={"role_id": fake.role_id, "secret_id": fake.secret_id},
        timeout=5,
    )
    return {"X-Vault-Token": reply.json()["auth"]["client_token"]}


def test_only_the_legacy_policy_path_reads_rules(fake_vault: FakeVault) -> None:
    token = _ci_token(fake_vault)
    text = 'path "x" { capabilities = ["read"] }'
    modern = f"{fake_vault.url}/v1/sys/policies/acl/p"
    legacy = f"{fake_vault.url}/v1/sys/policy/p"
    assert requests.put(modern, json={"rules": text}, headers=token, timeout=5).status_code == 400
    assert requests.put(legacy, json={"rules": text}, headers=token, timeout=5).status_code == 204
    assert requests.get(modern, headers=token, timeout=5).json()["data"]["policy"] == text


def test_kubernetes_auth_drops_unknown_config_fields_and_merges_roles(
    fake_vault: FakeVault,
) -> None:
    token = _ci_token(fake_vault)
    base = f"{fake_vault.url}/v1"
    fake_vault.auth_mounts["kubernetes-c1/"] = {"type": "kubernetes", "description": ""}
    config = {"kubernetes_host": "https://h:6443", "no_such_field": "x"}
    requests.post(f"{base}/auth/kubernetes-c1/config", json=config, headers=token, timeout=5)
    assert "no_such_field" not in fake_vault.auth_config["kubernetes-c1"]
    role = f"{base}/auth/kubernetes-c1/role/r"
    first = {"bound_service_account_names": ["a"], "bound_service_account_namespaces": ["n"]}
    requests.post(role, json={**first, "token_ttl": 60}, headers=token, timeout=5)
    requests.post(role, json={"token_policies": ["p"]}, headers=token, timeout=5)
    data = requests.get(role, headers=token, timeout=5).json()["data"]
    assert (data["token_ttl"], data["token_policies"], data["policies"]) == (60, ["p"], ["p"])


def test_approle_answers_a_missing_role_per_path(fake_vault: FakeVault) -> None:
    token = _ci_token(fake_vault)
    role = f"{fake_vault.url}/v1/auth/approle/role/none"
    assert requests.get(f"{role}/role-id", headers=token, timeout=5).status_code == 404
    assert requests.post(f"{role}/secret-id", headers=token, timeout=5).status_code == 400
    lookup = requests.post(
        f"{role}/secret-id/lookup", json={"secret_id": "x"}, headers=token, timeout=5
    )
    assert lookup.status_code == 500
    assert 'role "none" does not exist' in lookup.json()["errors"][0]


def test_a_secret_id_is_capped_at_the_mounts_max_lease_ttl(fake_vault: FakeVault) -> None:
    token = _ci_token(fake_vault)
    role = f"{fake_vault.url}/v1/auth/approle/role/r"
    requests.post(role, json={"secret_id_ttl": 90 * 86400}, headers=token, timeout=5)
    minted = requests.post(f"{role}/secret-id", headers=token, timeout=5).json()["data"]
    assert minted["secret_id_ttl"] == 768 * 3600
    looked_up = requests.post(
        f"{role}/secret-id/lookup",
        json={"secret_id": minted["secret_id"]},
        headers=token,
        timeout=5,
    ).json()["data"]
    # The lookup reports what was asked for; only the expiry carries the cap.
    assert looked_up["secret_id_ttl"] == 90 * 86400


def test_logins_carry_the_default_policy(fake_vault: FakeVault) -> None:
    fake_vault.ci_policies = ["ci"]
    fake_vault.policies["ci"] = 'path "secret/data/*" { capabilities = ["read"] }'
    reply = requests.post(
        f"{fake_vault.url}/v1/auth/approle/login",
        json={"role_id": fake_vault.role_id, "secret_id": fake_vault.secret_id},
        timeout=5,
    )
    assert reply.json()["auth"]["policies"] == ["ci", "default"]


def test_a_standby_answers_health_with_429_and_serves(
    fake_vault: FakeVault, settings: VaultSettings
) -> None:
    fake_vault.standby = True
    fake_vault.put_secret("wildside/c1/gitops", {"token": "t0ken-value"})
    with VaultClient.login(settings) as client:
        assert client.read_kv("wildside/c1/gitops").data == {"token": "t0ken-value"}
    health = requests.get(f"{fake_vault.url}/v1/sys/health", timeout=5)
    assert (health.status_code, health.json()["standby"]) == (429, True)


def test_an_uninitialised_vault_is_named_as_such(
    fake_vault: FakeVault, settings: VaultSettings
) -> None:
    fake_vault.initialized = False
    assert requests.get(f"{fake_vault.url}/v1/sys/health", timeout=5).status_code == 501
    with pytest.raises(VaultRequestFailed, match="not initialised"):
        VaultClient.login(settings)


def test_added_routes_get_the_seal_token_and_acl_checks(fake_vault: FakeVault) -> None:
    fake_vault.add_route(
        Route(
            "sys/seal-status",
            lambda req, rest: (200, {"sealed": True}),
            open=True,
            while_sealed=True,
        )
    )
    fake_vault.add_route(Route("sys/mounts", lambda req, rest: (204, None), sudo=True))
    fake_vault.ci_policies = ["ops"]
    fake_vault.policies["ops"] = 'path "sys/mounts/*" { capabilities = ["update"] }'
    token = _ci_token(fake_vault)
    url = f"{fake_vault.url}/v1/sys/mounts/kv2"
    # sudo is missing from the policy: refused although "update" is granted.
    assert requests.post(url, json={}, headers=token, timeout=5).status_code == 403
    fake_vault.policies["ops"] = 'path "sys/mounts/*" { capabilities = ["update", "sudo"] }'
    assert requests.post(url, json={}, headers=token, timeout=5).status_code == 204
    fake_vault.sealed = True
    assert requests.post(url, json={}, headers=token, timeout=5).status_code == 503
    status = requests.get(f"{fake_vault.url}/v1/sys/seal-status", timeout=5)
    assert (status.status_code, status.json()) == (200, {"sealed": True})
