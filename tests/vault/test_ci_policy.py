"""The CI role's documented Vault policy, exercised by use through the fake's ACL model.

The policy block of the action's README is loaded into the fake Vault as the
only policy (besides ``default``) CI's AppRole logs in with; both ESO login
set-ups then run a whole lifecycle (first run, changes, renewal). It must
succeed with the policy as written, and fail, naming the path and the
capability, with any single capability taken away: the policy allows what
the action needs and nothing more.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from tests.fakes.ci_policy import CI_POLICY, documented_ci_policy
from tests.fakes.fake_acl import Rule, parse_policy
from tests.fakes.fake_kube import FakeKube, serving
from tests.fakes.fake_vault import ROLE_ID, SECRET_ID, FakeVault
from wildside_constructs.settings.vault import AppRoleRef
from wildside_ops.kube import KubeSecrets
from wildside_ops.vault import VaultClient, VaultPermissionDenied, VaultSettings
from wildside_ops.vault import approle_eso as ae
from wildside_ops.vault import k8s_auth as ka
from wildside_ops.vault.secret_paths import SECRET_PATHS

KUBE_TOKEN = "sntl-kube-token-ci-policy-9e0f"
CA = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n"
RULES = parse_policy(documented_ci_policy())


def _without(rule: Rule, capability: str) -> str:
    """The documented policy with one capability taken off one rule."""
    lines = []
    for other in RULES:
        caps = sorted(other.capabilities - ({capability} if other == rule else set()))
        if caps:
            quoted = ", ".join(f'"{c}"' for c in caps)
            lines.append(f'path "{other.path}" {{ capabilities = [{quoted}] }}')
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def kube(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FakeKube, KubeSecrets]]:
    # One API server for the module: each lifecycle starts by clearing its Secrets.
    folder = tmp_path_factory.mktemp("kube")
    with serving(folder, KUBE_TOKEN) as (fake, config), KubeSecrets(config) as secrets:
        yield fake, secrets


def lifecycle(policy: str, secrets: KubeSecrets, kube: FakeKube) -> None:
    """Everything the action does in Vault over a cluster's life, logged in as CI."""
    kube.secrets.clear()
    fake = FakeVault(ci_policies=[CI_POLICY], policies={CI_POLICY: policy})
    for entry in SECRET_PATHS:
        path = entry.path.replace("${cluster_name}", "c1")
        fake.put_secret(path, {**(fake.latest(path) or {}), entry.key: "v4lue-x"})
    with fake.running():
        settings = VaultSettings(
            address=fake.url, role_id=ROLE_ID, secret_id=SECRET_ID, timeout=5, backoff_base=0
        )
        with VaultClient.login(settings) as vault:
            vault.read_cluster_secrets("c1", mask=False)
            vault.write_kubeconfig("c1", "kubeconfig: first")  # create
            vault.write_kubeconfig("c1", "kubeconfig: second")  # update
            ka.ensure_kubernetes_auth(vault, "c1", "https://10.0.0.1:6443", CA)
            # Every object changed behind the run's back is put right (update).
            fake.auth_config["kubernetes-c1"]["kubernetes_host"] = "https://elsewhere:6443"
            fake.roles[("kubernetes-c1", "external-secrets")]["token_ttl"] = 1
            fake.policies["wildside-c1-eso"] = 'path "x" { capabilities = ["read"] }'
            ka.ensure_kubernetes_auth(vault, "c1", "https://10.0.0.1:6443", CA)
            ae.ensure_eso_approle(vault, "c1", AppRoleRef(), secrets)
            fake.approle.roles[("approle", "wildside-c1-eso")]["token_ttl"] = 1
            ae.ensure_eso_approle(vault, "c1", AppRoleRef(), secrets)  # lookup, role update
            kube.secrets.clear()  # the Secret lost: mint, list and destroy the old ID
            ae.ensure_eso_approle(vault, "c1", AppRoleRef(), secrets)
            assert len(fake.approle.live_secret_ids("approle", "wildside-c1-eso")) == 1


def test_the_documented_policy_is_enough_for_both_login_set_ups(
    kube: tuple[FakeKube, KubeSecrets],
) -> None:
    fake_kube, secrets = kube
    lifecycle(documented_ci_policy(), secrets, fake_kube)


def test_every_wildcard_in_the_documented_policy_is_one_vault_honours() -> None:
    # Vault reads "*" only at the end of a path; elsewhere it is a literal character.
    assert RULES
    for rule in RULES:
        assert "*" not in rule.path[:-1], rule.path


@pytest.mark.parametrize(
    ("rule", "capability"),
    [(rule, cap) for rule in RULES for cap in sorted(rule.capabilities)],
    ids=lambda value: value.path if isinstance(value, Rule) else value,
)
def test_each_capability_is_needed_and_its_absence_is_named(
    rule: Rule, capability: str, kube: tuple[FakeKube, KubeSecrets]
) -> None:
    fake_kube, secrets = kube
    with pytest.raises(VaultPermissionDenied) as caught:
        lifecycle(_without(rule, capability), secrets, fake_kube)
    assert rule.matches(caught.value.api_path)
    assert capability in caught.value.capability.split(",")
    assert f'path "{caught.value.api_path}"' in str(caught.value)


def test_the_eso_policy_written_for_the_cluster_is_enforced_by_use(
    kube: tuple[FakeKube, KubeSecrets],
) -> None:
    fake_kube, secrets = kube
    fake_kube.secrets.clear()
    fake = FakeVault(ci_policies=[CI_POLICY], policies={CI_POLICY: documented_ci_policy()})
    for cluster in ("c1", "c2"):
        for name in ("cloudflare", "digitalocean"):
            fake.put_secret(f"wildside/{cluster}/{name}", {"token": "v4lue-x"})
    with fake.running():
        settings = VaultSettings(
            address=fake.url, role_id=ROLE_ID, secret_id=SECRET_ID, timeout=5, backoff_base=0
        )
        with VaultClient.login(settings) as vault:
            ae.ensure_eso_approle(vault, "c1", AppRoleRef(), secrets)
        pair = fake_kube.secret_data("external-secrets", "vault-approle") or {}
        login = requests.post(f"{fake.url}/v1/auth/approle/login", json=pair, timeout=5)
        eso = {"X-Vault-Token": login.json()["auth"]["client_token"]}

        def status(path: str) -> int:
            return requests.get(
                f"{fake.url}/v1/secret/data/{path}", headers=eso, timeout=5
            ).status_code

        assert status("wildside/c1/cloudflare") == 200
        # CI-only credentials and other clusters' secrets stay out of ESO's reach.
        assert status("wildside/c1/digitalocean") == 403
        assert status("wildside/c1/kubeconfig") == 403
        assert status("wildside/c2/cloudflare") == 403
