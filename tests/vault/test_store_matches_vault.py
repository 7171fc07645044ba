"""The cluster's ClusterSecretStore logs in exactly where the deploy step set Vault up.

Both sides take their names from ``wildside_constructs.settings.vault``; here the
rendered store is checked against what ``ensure_kubernetes_auth`` really writes
to a (fake) Vault for the same cluster, so drift on either side fails a test.
"""

from __future__ import annotations

import fnmatch
import re

from tests.fakes.fake_vault import FakeVault
from tests.platform.vault_helpers import applied, applied_store, applied_values, render_vault
from wildside_ops.vault import VaultClient
from wildside_ops.vault import k8s_auth as ka

HOST = "https://10.0.0.1:6443"
CA = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n"
_STANZA = re.compile(r'path "([^"]+)" \{\n  capabilities = \[([^\]]*)\]\n\}')


def readable(policy: str, path: str) -> bool:
    """Whether ``policy`` lets a token read ``path`` (exact paths outrank globs)."""
    rules = {glob: caps for glob, caps in _STANZA.findall(policy)}
    if path in rules:
        return '"read"' in rules[path]
    return any(fnmatch.fnmatchcase(path, glob) and '"read"' in c for glob, c in rules.items())


def test_the_store_logs_in_where_the_deploy_step_set_vault_up(
    fake_vault: FakeVault, vault: VaultClient
) -> None:
    stack = render_vault({"kv_mount": "kv-platform"}, cluster={"name": "c1"})
    store = applied_store(stack, "c1")["spec"]["provider"]["vault"]
    ka.ensure_kubernetes_auth(vault, "c1", HOST, CA, kv_mount=store["path"])

    login = store["auth"]["kubernetes"]
    assert fake_vault.auth_mounts[f"{login['mountPath']}/"]["type"] == "kubernetes"
    role = fake_vault.roles[(login["mountPath"], login["role"])]
    account = login["serviceAccountRef"]
    assert role["bound_service_account_names"] == [account["name"]]
    assert role["bound_service_account_namespaces"] == [account["namespace"]]

    # The account the chart creates, in the namespace it runs in, is that one.
    values = applied_values(stack, "c1")
    assert values["serviceAccount"]["name"] == account["name"]
    release = stack.documents["platform/vault/helmrelease.yaml"]
    assert release["metadata"]["namespace"] == account["namespace"]
    # No reviewer JWT was configured, so ESO's token must be allowed to review itself.
    assert not fake_vault.auth_config[login["mountPath"]].get("token_reviewer_jwt")
    assert values["systemAuthDelegator"] is True

    # The role's policy lets ESO read what the cluster's ExternalSecrets ask for.
    (policy_name,) = role["token_policies"]
    policy = fake_vault.policies[policy_name]
    token = applied(
        stack,
        "platform/cert-manager/cloudflare-token/externalsecret.yaml",
        "cert-manager-cloudflare-token",
        "c1",
    )
    for entry in token["spec"]["data"]:
        assert readable(policy, f"{store['path']}/data/{entry['remoteRef']['key']}")
    # ... and nothing only CI may read.
    assert not readable(policy, f"{store['path']}/data/wildside/c1/kubeconfig")


def test_each_cluster_logs_in_to_its_own_policy(fake_vault: FakeVault, vault: VaultClient) -> None:
    logins = {}
    for cluster in ("c1", "c2"):
        ka.ensure_kubernetes_auth(vault, cluster, HOST, CA)
        store = applied_store(render_vault(cluster={"name": cluster}), cluster)
        logins[cluster] = store["spec"]["provider"]["vault"]["auth"]["kubernetes"]
    assert logins["c1"]["mountPath"] != logins["c2"]["mountPath"]
    for cluster, login in logins.items():
        role = fake_vault.roles[(login["mountPath"], login["role"])]
        # A cluster's ESO can only ever read that cluster's secrets.
        assert role["token_policies"] == [f"wildside-{cluster}-eso"]
        assert f"wildside/{cluster}/*" in fake_vault.policies[f"wildside-{cluster}-eso"]
