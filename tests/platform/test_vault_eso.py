"""vault_eso: the operator's release, switching it off, its contract and its settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_app
from tests.platform.vault_helpers import (
    APPROLE,
    CA_PEM,
    RELEASE,
    STORE_UNIT,
    applied_store,
    applied_values,
    flux_vars,
    render_vault,
)
from tests.support import (
    EXAMPLE,
    example_with,
    problems_of,
    render_platform,
    synth_json,
    write_config,
)

OFF = {"WILDSIDE_ENABLE_VAULT_ESO": "false", "WILDSIDE_ENABLE_OBSERVABILITY": "false"}


def test_release_is_pinned_and_installs_the_crds() -> None:
    stack = render_vault()
    release = stack.documents[RELEASE]
    assert release["metadata"]["namespace"] == "external-secrets"
    chart = release["spec"]["chart"]["spec"]
    assert (chart["chart"], chart["version"]) == ("external-secrets", "1.1.1")
    assert chart["sourceRef"] == {
        "kind": "HelmRepository",
        "name": "external-secrets",
        "namespace": "flux-system",
    }
    repository = stack.documents["platform/sources/external-secrets/helmrepository.yaml"]
    assert repository["spec"] == {"interval": "24h", "url": "https://charts.external-secrets.io"}
    namespace = stack.documents["platform/vault/namespace.yaml"]
    assert namespace["metadata"]["name"] == "external-secrets"
    values = release["spec"]["values"]
    assert values["installCRDs"] is True
    # Uninstalling must not take every ExternalSecret (and its Secret) with the CRDs.
    assert values["crds"]["annotations"] == {"helm.sh/resource-policy": "keep"}
    # The account Vault's role binds: named explicitly, not derived from the release.
    assert values["serviceAccount"] == {"create": True, "name": "external-secrets"}
    assert values["fullnameOverride"] == "external-secrets"
    assert values["leaderElect"] is True
    unit = stack.documents["clusters/dev/vault.yaml"]["spec"]
    assert (unit["path"], unit["dependsOn"]) == ("./platform/vault", [{"name": "sources"}])
    # Network policies are checked in tests/platform/test_network_policies.py.
    assert [
        r
        for r in stack.documents["platform/vault/kustomization.yaml"]["resources"]
        if not r.startswith("networkpolicy-")
    ] == [
        "helmrelease.yaml",
        "namespace.yaml",
    ]


def test_the_store_waits_for_the_operator_that_serves_its_crd() -> None:
    stack = render_vault()
    unit = stack.documents[STORE_UNIT]["spec"]
    assert unit["dependsOn"] == [{"name": "vault"}]
    assert unit["path"] == "./platform/vault/secret-store-kubernetes"
    assert unit["wait"] is True
    store = stack.documents["platform/vault/secret-store-kubernetes/clustersecretstore.yaml"]
    assert (store["apiVersion"], store["kind"]) == ("external-secrets.io/v1", "ClusterSecretStore")
    assert store["metadata"]["name"] == "vault-kv"
    assert "namespace" not in store["metadata"]


def test_settings_reach_the_cluster_through_substitutions() -> None:
    stack = render_vault(
        {
            "address": "https://vault.internal.example.net:8443",
            "kv_mount": "kv-platform",
            "replicas": 2,
            "webhook_replicas": 3,
            "pdb_enabled": False,
            "resources": {"memory_limit": "512Mi"},
        }
    )
    text = (
        stack.rendered[RELEASE]
        + stack.rendered["platform/vault/secret-store-kubernetes/clustersecretstore.yaml"]
    )
    assert "vault.internal.example.net" not in text
    assert "kv-platform" not in text
    values = applied_values(stack)
    assert (values["replicaCount"], values["webhook"]["replicaCount"]) == (2, 3)
    assert values["certController"]["replicaCount"] == 1
    assert values["podDisruptionBudget"] == {"enabled": False, "maxUnavailable": 1}
    assert values["resources"]["limits"] == {"cpu": "200m", "memory": "512Mi"}
    assert values["webhook"]["resources"]["limits"] == {"cpu": "200m", "memory": "128Mi"}
    vault = applied_store(stack)["spec"]["provider"]["vault"]
    assert vault["server"] == "https://vault.internal.example.net:8443"
    assert (vault["path"], vault["version"]) == ("kv-platform", "v2")
    # Each unit carries only the values its own files read.
    assert "vault_eso_address" not in flux_vars(stack, "vault")
    assert "vault_eso_replicas" not in flux_vars(stack, "vault-secret-store")


@pytest.mark.parametrize(
    "off",
    [{"env": OFF}, {"overrides": {"components": {"vault_eso": False, "observability": False}}}],
    ids=["environment", "config-file"],
)
def test_switching_off_removes_every_vault_file(off: dict[str, Any]) -> None:
    stack = render_platform(example_with(off.get("overrides"), off.get("env")))
    assert not [p for p in stack.rendered if "vault" in p or "external-secrets" in p]
    assert "vault_eso" not in stack.components
    root = stack.documents["clusters/dev/kustomization.yaml"]["resources"]
    assert not [name for name in root if name.startswith("vault")]
    assert not [d for d in stack.documents.values() if d.get("kind") == "ExternalSecret"]
    assert "vault_eso_contract" not in synth_json(stack)["output"]
    # DNS-01 still works: cert-manager then reads a Secret the user creates.
    assert "platform/cert-manager/issuers-dns01-cloudflare/kustomization.yaml" in stack.rendered


def test_switched_off_the_address_is_not_required() -> None:
    cfg = example_with({"vault_eso": {"address": ""}}, OFF)
    assert "vault_eso" not in cfg.components.enabled()


@pytest.mark.parametrize("component", ["cert_manager", "external_dns"])
def test_a_token_pinned_to_vault_needs_vault_eso(component: str) -> None:
    pinned = {component: {"cloudflare": {"source": "vault"}}}
    message = problems_of(pinned, OFF)["components.vault_eso"]
    assert f"but {component} needs it" in message
    assert f"{component}.cloudflare.source = 'vault'" in message
    # The fixes: switch vault_eso on, or take the token out of Vault.
    assert "WILDSIDE_ENABLE_VAULT_ESO=true" in message
    assert f"{component}.cloudflare.source = 'manual'" in message
    example_with(pinned)
    example_with({component: {"cloudflare": {"source": "manual"}}}, OFF)


def test_http01_needs_no_token_and_so_no_vault() -> None:
    cfg = example_with(
        {"cert_manager": {"solver": "http01", "cloudflare": {"source": "vault"}}}, OFF
    )
    assert set(cfg.settings["cert_manager"].requires()) == {"traefik"}


def test_a_manual_token_gets_no_external_secret_even_with_vault() -> None:
    manual = {"cloudflare": {"source": "manual"}}
    stack = render_platform(example_with({"cert_manager": manual, "external_dns": manual}))
    assert not [p for p in stack.rendered if "cloudflare-token" in p]
    assert "platform/vault/helmrelease.yaml" in stack.rendered
    issuers = stack.documents["clusters/dev/cert-manager-issuers.yaml"]["spec"]
    assert issuers["dependsOn"] == [{"name": "cert-manager"}]


def test_contract_names_the_store_and_how_it_logs_in() -> None:
    stack = render_vault()
    component = stack.components["vault_eso"]
    assert component.vault.secret_store == "vault-kv"
    assert component.vault.secret_store_ref == {"kind": "ClusterSecretStore", "name": "vault-kv"}
    contract = synth_json(stack)["output"]["vault_eso_contract"]["value"]
    assert contract == {
        "secret_store": "vault-kv",
        "secret_store_ref": {"kind": "ClusterSecretStore", "name": "vault-kv"},
        "secret_store_unit": "vault-secret-store",
        "address": "https://vault.example.com:8200",
        "kv_mount": "secret",
        "kv_version": "v2",
        "auth_method": "kubernetes",
        "auth_mount": "kubernetes-dev",
        "namespace": "external-secrets",
        "service_account": "external-secrets",
    }
    approle = render_vault(APPROLE).components["vault_eso"].vault
    assert (approle.auth_method, approle.auth_mount) == ("approle", "approle")


@pytest.mark.parametrize(
    ("settings", "field", "words"),
    [
        ({"address": ""}, "vault_eso.address", "is required while vault_eso is enabled"),
        ({"address": "http://vault:8200"}, "vault_eso.address", "must be an https:// URL"),
        ({"address": "https://u:p@vault:8200"}, "vault_eso.address", "no credentials"),
        ({"address": "https://vault ex"}, "vault_eso.address", "is not a Vault URL"),
        ({"ca_bundle": "not a certificate"}, "vault_eso.ca_bundle", "is not PEM"),
        ({"ca_bundle": CA_PEM + "trailing text"}, "vault_eso.ca_bundle", "is not PEM"),
        (
            {"ca_bundle": "-----BEGIN PRIVATE KEY-----\nMC4=\n-----END PRIVATE KEY-----"},
            "vault_eso.ca_bundle",
            "block 1 is a PRIVATE KEY, not a CERTIFICATE",
        ),
        (
            {"ca_bundle": "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----"},
            "vault_eso.ca_bundle",
            "not valid base64 DER",
        ),
        ({"kv_mount": "team/secret"}, "vault_eso.kv_mount", "without slashes"),
        ({"kv_mount": "123"}, "vault_eso.kv_mount", "would become a number"),
        ({"kv_version": "v1"}, "vault_eso.kv_version", "must be one of 'v2'"),
        ({"auth": "token"}, "vault_eso.auth", "must be one of 'kubernetes', 'approle'"),
        (
            {**APPROLE, "approle": {"secret_name": "Vault_AppRole"}},
            "vault_eso.approle.secret_name",
            "",
        ),
        ({**APPROLE, "approle": {"role_id_key": "a b"}}, "vault_eso.approle.role_id_key", ""),
        ({**APPROLE, "approle": {"mount": "auth/approle"}}, "vault_eso.approle.mount", ""),
        ({"webhook_replicas": 0}, "vault_eso.webhook_replicas", "between 1 and 10"),
        ({"resources": {"cpu_limit": "lots"}}, "vault_eso.resources.cpu_limit", "quantity"),
    ],
)
def test_bad_settings_name_the_field(settings: dict[str, Any], field: str, words: str) -> None:
    assert words in problems_of({"vault_eso": settings})[field]


def test_approle_settings_are_only_checked_for_approle() -> None:
    cfg = example_with({"vault_eso": {"approle": {"secret_name": ""}}})
    assert cfg.settings["vault_eso"].auth == "kubernetes"


def test_a_bundle_of_several_certificates_is_accepted() -> None:
    cfg = example_with({"vault_eso": {"ca_bundle": CA_PEM + "\n" + CA_PEM}})
    assert cfg.settings["vault_eso"].ca_bundle.count("BEGIN CERTIFICATE") == 2


def test_the_cli_rejects_a_bad_vault_configuration_with_exit_code_2(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace('address = "https://vault.example.com:8200"', 'address = "http://vault"')
    text = text.replace('ca_bundle = ""', 'ca_bundle = "-----BEGIN CERTIFICATE-----"')
    outdir, gitops = tmp_path / "out", tmp_path / "gitops"
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "WILDSIDE_CONFIG": str(write_config(tmp_path, text)),
        "WILDSIDE_GITOPS_DIR": str(gitops),
    }
    run = run_app(["render", "--outdir", str(outdir)], env, timeout=120)
    assert run.returncode == 2, run.stderr
    assert "vault_eso.address: 'http://vault' must be an https:// URL" in run.stderr
    assert "vault_eso.ca_bundle: is not PEM" in run.stderr
    assert not outdir.exists()
    assert not gitops.exists()
