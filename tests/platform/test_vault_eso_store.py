"""The ClusterSecretStore: how it logs in, its CA, and clusters sharing one repository."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.platform.vault_helpers import (
    APPROLE,
    CA_PEM,
    applied_store,
    applied_values,
    flux_vars,
    render_vault,
    store_path,
)
from tests.support import NO_SCHEMAS_REASON, SCHEMAS, all_units
from tests.validation.test_two_clusters import applied_as, flux_units, substitutions
from tests.validation.trees import kustomize_build, write_tree
from wildside_constructs.validation.disk import cluster_schema_problems
from wildside_constructs.validation.rules import KUSTOMIZATION, tree_problems
from wildside_constructs.validation.tree import schema_problems
from wildside_constructs.yamlout import load

VARIANTS = {
    "kubernetes": {},
    "kubernetes-ca": {"ca_bundle": CA_PEM},
    "approle": APPROLE,
    "approle-ca": {**APPROLE, "ca_bundle": CA_PEM},
}


def test_kubernetes_auth_logs_in_as_the_eso_service_account() -> None:
    stack = render_vault()
    vault = applied_store(stack)["spec"]["provider"]["vault"]
    assert vault["auth"] == {
        "kubernetes": {
            "mountPath": "kubernetes-dev",
            "role": "external-secrets",
            "serviceAccountRef": {"name": "external-secrets", "namespace": "external-secrets"},
        }
    }
    # Vault reviews the login with ESO's own token, which needs auth-delegator.
    assert applied_values(stack)["systemAuthDelegator"] is True
    other = render_vault(cluster={"name": "prod"})
    assert applied_store(other, "prod")["spec"]["provider"]["vault"]["auth"]["kubernetes"][
        "mountPath"
    ] == ("kubernetes-prod")


def test_approle_reads_a_secret_ci_creates_and_renders_no_credential() -> None:
    stack = render_vault(APPROLE)
    assert store_path(stack) == "platform/vault/secret-store-approle/clustersecretstore.yaml"
    assert not [p for p in stack.rendered if "secret-store-kubernetes" in p]
    auth = applied_store(stack)["spec"]["provider"]["vault"]["auth"]
    secret = {"name": "eso-approle", "namespace": "external-secrets"}
    assert auth == {
        "appRole": {
            "path": "approle",
            "roleRef": {**secret, "key": "rid"},
            "secretRef": {**secret, "key": "secret_id"},
        }
    }
    # No literal role ID, no Secret at all: CI creates it in the cluster.
    assert not [d for d in stack.documents.values() if d.get("kind") == "Secret"]
    assert "roleId" not in stack.rendered[store_path(stack)]
    assert applied_values(stack)["systemAuthDelegator"] is False


def test_a_ca_bundle_travels_as_one_base64_line() -> None:
    stack = render_vault({"ca_bundle": "\n  " + CA_PEM.replace("\n", "\r\n") + "\n"})
    assert store_path(stack) == "platform/vault/secret-store-kubernetes-ca/clustersecretstore.yaml"
    encoded = flux_vars(stack, "vault-secret-store")["vault_eso_ca_bundle"]
    assert "\n" not in encoded
    # The cluster gets the certificate, normalized, and never sees it in platform/.
    assert base64.b64decode(encoded).decode() == CA_PEM
    assert "BEGIN CERTIFICATE" not in "".join(stack.rendered[p] for p in stack.rendered)
    vault = applied_store(stack)["spec"]["provider"]["vault"]
    assert base64.b64decode(vault["caBundle"]).decode() == CA_PEM


def test_without_a_ca_bundle_the_store_has_no_ca_field() -> None:
    # An empty substitution would reach the cluster as null, not "": no field at all.
    stack = render_vault()
    assert "caBundle" not in applied_store(stack)["spec"]["provider"]["vault"]
    assert "vault_eso_ca_bundle" not in flux_vars(stack, "vault-secret-store")


@pytest.mark.skipif(SCHEMAS is None, reason=NO_SCHEMAS_REASON)
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_variant_is_schema_valid_after_substitution(variant: str) -> None:
    assert SCHEMAS is not None
    stack = render_vault(VARIANTS[variant], schemas=False)
    assert store_path(stack) == f"platform/vault/secret-store-{variant}/clustersecretstore.yaml"
    assert schema_problems(stack.documents, all_units(stack), SCHEMAS) == []
    assert tree_problems(stack.documents) == []


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kustomize_builds_every_vault_folder(tmp_path: Path) -> None:
    rendered: dict[str, str] = {}
    for settings in VARIANTS.values():
        rendered.update(render_vault(settings, schemas=False).rendered)
    folders = sorted(
        p.removesuffix(f"/{KUSTOMIZATION}")
        for p in rendered
        if p.startswith("platform/vault") and p.endswith(KUSTOMIZATION)
    )
    assert len(folders) == 5
    write_tree(tmp_path, rendered)
    for folder in folders:
        built = kustomize_build(tmp_path, folder)
        assert built.returncode == 0, f"{folder}: {built.stderr}"
        listed = load(rendered[f"{folder}/{KUSTOMIZATION}"])["resources"]
        assert len(list(yaml.safe_load_all(built.stdout))) == len(listed)


# --- two clusters, two Vaults, one repository -------------------------------------------

A = {"name": "a", "domain": "a.example.com"}
B = {"name": "b", "domain": "b.example.org"}
VAULT_A = {"address": "https://vault-a.example.com:8200", "kv_mount": "kv-a"}
VAULT_B = {**APPROLE, "address": "https://vault-b.example.org", "ca_bundle": CA_PEM}


@pytest.fixture(scope="module")
def trees() -> dict[str, dict[str, str]]:
    return {
        "a": render_vault(VAULT_A, cluster=A, schemas=False).rendered,
        "b": render_vault(VAULT_B, cluster=B, schemas=False).rendered,
    }


@pytest.fixture(scope="module")
def union(trees: dict[str, dict[str, str]]) -> dict[str, Any]:
    return {path: load(text) for path, text in {**trees["a"], **trees["b"]}.items()}


def test_clusters_with_different_vaults_share_platform_files_byte_for_byte(
    trees: dict[str, dict[str, str]],
) -> None:
    shared = {p for p in trees["a"].keys() & trees["b"].keys() if p.startswith("platform/")}
    assert "platform/vault/helmrelease.yaml" in shared
    assert {p: trees["a"][p] for p in shared} == {p: trees["b"][p] for p in shared}
    # Each store variant is a folder only its cluster references.
    assert any("secret-store-kubernetes/" in p for p in trees["a"])
    assert any("secret-store-approle-ca/" in p for p in trees["b"])
    for text in (
        t for tree in trees.values() for p, t in tree.items() if p.startswith("platform/")
    ):
        assert "vault-a.example.com" not in text
        assert "vault-b.example.org" not in text


def test_each_cluster_reaches_its_own_vault(union: dict[str, Any]) -> None:
    stores = {}
    for cluster in ("a", "b"):
        applied = applied_as(union, cluster)
        (store,) = [d for d in map(load, applied.values()) if d["kind"] == "ClusterSecretStore"]
        stores[cluster] = store["spec"]["provider"]["vault"]
    assert (stores["a"]["server"], stores["a"]["path"]) == (VAULT_A["address"], "kv-a")
    assert stores["a"]["auth"]["kubernetes"]["mountPath"] == "kubernetes-a"
    assert "caBundle" not in stores["a"]
    assert (stores["b"]["server"], stores["b"]["path"]) == (VAULT_B["address"], "secret")
    assert base64.b64decode(stores["b"]["caBundle"]).decode() == CA_PEM
    addresses = {
        cluster: {
            value
            for unit in flux_units(union, cluster)
            for name, value in substitutions(unit).items()
            if name == "vault_eso_address"
        }
        for cluster in ("a", "b")
    }
    assert addresses == {"a": {VAULT_A["address"]}, "b": {VAULT_B["address"]}}


def test_the_shared_repository_is_valid_for_both(union: dict[str, Any]) -> None:
    assert tree_problems(union) == []
    if SCHEMAS is not None:
        assert cluster_schema_problems(union, SCHEMAS) == []
