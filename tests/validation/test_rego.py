"""The conftest policies in policy/, evaluated with regopy as conftest would run them.

Per-document runs get one manifest as ``input``; ``conftest test --combine``
gets one array of ``{path, contents}``. Each policy accepts the real rendered
tree and rejects a mutated document.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.support import example_with, render_platform
from tests.validation.rego_support import POLICY, combined, deny, doc, load_policies
from wildside_constructs.validation.rules import tree_problems

regopy = pytest.importorskip("regopy", reason="regopy (dev dependency) is not installed")

RELEASE = "platform/traefik/helmrelease.yaml"
SHARED_RULES = {"helmrelease-source", "helmrelease-version", "secret-literal"}


@pytest.fixture(scope="module")
def tree() -> dict[str, Any]:
    return dict(render_platform(example_with(), schemas=False).documents)


@pytest.fixture(scope="module")
def interpreter() -> Any:
    return load_policies(regopy)


def test_policies_are_conftest_shaped() -> None:
    policies = sorted(POLICY.glob("*.rego"))
    assert len(policies) >= 6
    for policy in policies:
        text = policy.read_text(encoding="utf-8")
        assert "package main\n" in text, policy.name
        assert "import rego.v1\n" in text, policy.name


def test_every_rendered_document_is_accepted(interpreter: Any, tree: dict[str, Any]) -> None:
    assert {path: deny(interpreter, tree[path]) for path in tree} == {path: [] for path in tree}


def test_the_combined_rendered_tree_is_accepted(interpreter: Any, tree: dict[str, Any]) -> None:
    assert deny(interpreter, combined(tree)) == []


# --- helmrelease.rego -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("^37.0.0", "helmrelease-version: chart version ^37.0.0 is a range; pin an exact version"),
        ("37.x", "helmrelease-version: chart version 37.x is a range; pin an exact version"),
        ("37.4", "helmrelease-version: chart version 37.4 is not exact semver (MAJOR.MINOR.PATCH)"),
        (None, "helmrelease-version: chart version is missing; pin an exact version"),
        ("", "helmrelease-version: chart version is missing; pin an exact version"),
    ],
)
def test_a_release_without_an_exact_version_is_denied(
    interpreter: Any, tree: dict[str, Any], version: str | None, expected: str
) -> None:
    release = doc(tree, RELEASE)
    chart = release["spec"]["chart"]["spec"]
    if version is None:
        del chart["version"]
    else:
        chart["version"] = version
    assert deny(interpreter, release) == [f"HelmRelease/traefik: {expected}"]


def test_a_source_ref_without_namespace_is_denied(interpreter: Any, tree: dict[str, Any]) -> None:
    release = doc(tree, RELEASE)
    del release["spec"]["chart"]["spec"]["sourceRef"]["namespace"]
    assert deny(interpreter, release) == [
        "HelmRelease/traefik: helmrelease-source: sourceRef has no namespace"
    ]


def test_a_release_with_no_chart_is_denied(interpreter: Any, tree: dict[str, Any]) -> None:
    release = doc(tree, RELEASE)
    del release["spec"]["chart"]
    assert deny(interpreter, release) == [
        "HelmRelease/traefik: helmrelease-source: neither spec.chart.spec nor spec.chartRef"
    ]


def test_combined_a_source_ref_must_name_a_rendered_repository(
    interpreter: Any, tree: dict[str, Any]
) -> None:
    files = copy.deepcopy(tree)
    files[RELEASE]["spec"]["chart"]["spec"]["sourceRef"]["name"] = "foo"
    # One document alone cannot show what else is rendered: only --combine can.
    assert deny(interpreter, files[RELEASE]) == []
    assert deny(interpreter, combined(files)) == [
        f"{RELEASE}: helmrelease-source: sourceRef HelmRepository/flux-system/foo is not rendered"
    ]


def test_combined_reads_multi_document_files(interpreter: Any, tree: dict[str, Any]) -> None:
    files = copy.deepcopy(tree)
    repository = files.pop("platform/sources/traefik/helmrepository.yaml")
    release = files.pop(RELEASE)
    files["all.yaml"] = [repository, release]
    assert deny(interpreter, combined(files)) == []
    release["spec"]["chart"]["spec"]["version"] = ">=37"
    assert deny(interpreter, combined(files)) == [
        "all.yaml: helmrelease-version: chart version >=37 is a range; pin an exact version"
    ]


# --- secrets.rego -----------------------------------------------------------------------


def test_a_secret_without_literal_values_is_accepted(interpreter: Any) -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "type": "Opaque"}
    assert deny(interpreter, secret) == []


@pytest.mark.parametrize("field", ["data", "stringData"])
def test_a_secret_with_literal_values_is_denied(interpreter: Any, field: str) -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, field: {"k": "v"}}
    assert deny(interpreter, secret) == [
        f"Secret/s: secret-literal: Secret carries literal {field}; deliver it through an "
        "ExternalSecret, or encrypt it with `wildside secrets set`"
    ]


# --- external_secrets.rego --------------------------------------------------------------


def external_secret(api_version: str) -> dict[str, Any]:
    return {
        "apiVersion": api_version,
        "kind": "ExternalSecret",
        "metadata": {"name": "token", "namespace": "cert-manager"},
        "spec": {"secretStoreRef": {"kind": "ClusterSecretStore", "name": "vault-kv"}},
    }


def test_external_secrets_v1_is_accepted(interpreter: Any) -> None:
    assert deny(interpreter, external_secret("external-secrets.io/v1")) == []


@pytest.mark.parametrize("version", ["v1beta1", "v1alpha1"])
def test_older_external_secrets_versions_are_denied(interpreter: Any, version: str) -> None:
    assert deny(interpreter, external_secret(f"external-secrets.io/{version}")) == [
        f"ExternalSecret/token: external-secrets-version: external-secrets.io/{version} is not "
        "served; use external-secrets.io/v1"
    ]


def vault_store(auth: dict[str, Any], server: str = "https://vault.example.com") -> dict[str, Any]:
    return {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ClusterSecretStore",
        "metadata": {"name": "vault-kv"},
        "spec": {"provider": {"vault": {"server": server, "path": "secret", "auth": auth}}},
    }


APPROLE_REFS = {
    "path": "approle",
    "roleRef": {"name": "vault-approle", "namespace": "external-secrets", "key": "role_id"},
    "secretRef": {"name": "vault-approle", "namespace": "external-secrets", "key": "secret_id"},
}


def test_vault_stores_with_references_only_are_accepted(
    interpreter: Any, tree: dict[str, Any]
) -> None:
    rendered = doc(tree, "platform/vault/secret-store-kubernetes/clustersecretstore.yaml")
    assert rendered["spec"]["provider"]["vault"]["server"] == "${vault_eso_address}"
    assert deny(interpreter, rendered) == []
    assert deny(interpreter, vault_store({"appRole": APPROLE_REFS})) == []


def test_a_literal_approle_role_id_is_denied(interpreter: Any) -> None:
    literal = {k: v for k, v in APPROLE_REFS.items() if k != "roleRef"}
    store = vault_store({"appRole": {**literal, "roleId": "0f9a-literal"}})
    assert deny(interpreter, store) == [
        "ClusterSecretStore/vault-kv: external-secrets-literal: appRole.roleId is a literal "
        "credential in Git; use roleRef to a Secret created in the cluster"
    ]


@pytest.mark.parametrize("server", ["http://vault.example.com:8200", "vault.example.com"])
def test_a_vault_store_without_tls_is_denied(interpreter: Any, server: str) -> None:
    assert deny(interpreter, vault_store({"appRole": APPROLE_REFS}, server)) == [
        f"ClusterSecretStore/vault-kv: external-secrets-vault: server {server} must be https://"
    ]


# --- flux_kustomization.rego ------------------------------------------------------------


@pytest.mark.parametrize("field", ["prune", "wait", "interval", "sourceRef", "path"])
def test_a_flux_kustomization_missing_a_setting_is_denied(
    interpreter: Any, tree: dict[str, Any], field: str
) -> None:
    unit = doc(tree, "clusters/dev/traefik.yaml")
    del unit["spec"][field]
    assert deny(interpreter, unit) == [
        f"Kustomization/traefik: flux-kustomization: spec.{field} is not set"
    ]


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("./platform/../../elsewhere", "climbs out with .."),
        ("/platform/traefik", "is absolute; make it relative to the repository"),
    ],
)
def test_a_flux_kustomization_path_outside_the_repository_is_denied(
    interpreter: Any, tree: dict[str, Any], path: str, why: str
) -> None:
    unit = doc(tree, "clusters/dev/traefik.yaml")
    unit["spec"]["path"] = path
    assert deny(interpreter, unit) == [
        f"Kustomization/traefik: flux-kustomization: spec.path {path} {why}"
    ]


# --- sources.rego -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "url", "expected"),
    [
        ("traefik", "http://traefik.github.io/charts", "url must be https://"),
        ("traefik", "oci://ghcr.io/traefik/helm", "url must be https://"),
        ("jetstack", "https://charts.jetstack.io", "of type oci needs an oci:// url"),
    ],
)
def test_a_helm_repository_url_that_is_not_https_or_oci_is_denied(
    interpreter: Any, tree: dict[str, Any], source: str, url: str, expected: str
) -> None:
    repository = doc(tree, f"platform/sources/{source}/helmrepository.yaml")
    repository["spec"]["url"] = url
    (message,) = deny(interpreter, repository)
    assert message.startswith(f"HelmRepository/{source}: source-url: ")
    assert expected in message


def test_an_oci_repository_needs_an_oci_url(interpreter: Any) -> None:
    repository: dict[str, Any] = {
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "OCIRepository",
        "metadata": {"name": "app", "namespace": "flux-system"},
        "spec": {"url": "oci://ghcr.io/example/app", "ref": {"tag": "1.2.3"}},
    }
    assert deny(interpreter, repository) == []
    repository["spec"]["url"] = "https://ghcr.io/example/app"
    assert deny(interpreter, repository) == [
        "OCIRepository/app: source-url: OCIRepository url must be oci://"
    ]


# --- parity with the synth-time rules ---------------------------------------------------


def _mutations() -> dict[str, Any]:
    def version(files: dict[str, Any]) -> None:
        files[RELEASE]["spec"]["chart"]["spec"]["version"] = "~37.4.0"

    def source(files: dict[str, Any]) -> None:
        files[RELEASE]["spec"]["chart"]["spec"]["sourceRef"]["name"] = "foo"

    def secret(files: dict[str, Any]) -> None:
        files["platform/traefik/namespace.yaml"] = {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "s", "namespace": "traefik"},
            "data": {"k": "dg=="},
        }

    return {"version": version, "source": source, "secret": secret}


@pytest.mark.parametrize("mutation", sorted(_mutations()))
def test_rego_and_synth_rules_agree(interpreter: Any, tree: dict[str, Any], mutation: str) -> None:
    files = copy.deepcopy(tree)
    _mutations()[mutation](files)
    python = {(p.field, p.message.split(":", 1)[0]) for p in tree_problems(files)}
    rego = {tuple(m.split(": ", 2)[:2]) for m in deny(interpreter, combined(files))}
    assert python
    assert {item for item in python if item[1] in SHARED_RULES} == rego
