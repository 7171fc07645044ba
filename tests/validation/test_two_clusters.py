"""Two clusters publishing into one GitOps repository.

``platform/`` is shared: whatever each cluster renders there must be
byte-identical, and every per-cluster value must reach the cluster only
through its own ``clusters/<cluster>/`` Flux Kustomizations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.support import NO_SCHEMAS_REASON, SCHEMAS, example_with, render_platform
from wildside_constructs.promotion import shared_path
from wildside_constructs.validation.disk import cluster_schema_problems
from wildside_constructs.validation.rules import (
    applied_files,
    flux_folder,
    manifests,
    reads_this_repository,
    tree_problems,
)
from wildside_constructs.validation.tree import VARIABLE, substitute
from wildside_constructs.yamlout import dump, load


@dataclass(frozen=True)
class Cluster:
    name: str
    domain: str
    email: str
    overrides: dict[str, Any]


A = Cluster(
    "a",
    "a.example.com",
    "ops-a@example.com",
    {
        "traefik": {"replicas": 2},
        "cnpg": {
            "backup": {
                "enabled": True,
                "bucket": "backups-a",
                "endpoint": "https://ams3.digitaloceanspaces.com",
            }
        },
    },
)
B = Cluster(
    "b",
    "b.example.org",
    "ops-b@example.org",
    {
        "cnpg": {
            "name": "pg-b",
            "instances": 1,
            "database": "routes_b",
            "owner": "routes_b_app",
            "credentials": {"source": "operator"},
        },
        "valkey": {
            "name": "cache-b",
            "nodes": 3,
            "password": {"source": "secret", "secret_name": "cache-b-auth"},
        },
        "cert_manager": {"solver": "http01"},
        "traefik": {"replicas": 3},
    },
)


def render(cluster: Cluster) -> dict[str, str]:
    overrides = {
        **cluster.overrides,
        "cluster": {"name": cluster.name, "domain": cluster.domain, "acme_email": cluster.email},
    }
    rendered: dict[str, str] = render_platform(example_with(overrides), schemas=False).rendered
    return rendered


@pytest.fixture(scope="module")
def trees() -> dict[str, dict[str, str]]:
    return {cluster.name: render(cluster) for cluster in (A, B)}


@pytest.fixture(scope="module")
def union(trees: dict[str, dict[str, str]]) -> dict[str, Any]:
    """The repository after both publish: one file per path, parsed."""
    merged = {**trees["a"], **trees["b"]}
    return {path: load(text) for path, text in merged.items()}


def flux_units(union: dict[str, Any], cluster: str) -> list[dict[str, Any]]:
    return [
        document
        for path, document in manifests(union, "kustomize.toolkit.fluxcd.io/", "Kustomization")
        if path.startswith(f"clusters/{cluster}/")
    ]


def substitutions(document: dict[str, Any]) -> dict[str, str]:
    variables: dict[str, str] = document["spec"].get("postBuild", {}).get("substitute", {})
    return variables


def applied_as(union: dict[str, Any], cluster: str) -> dict[str, str]:
    """Each file cluster ``cluster`` applies, as text after its own substitutions.

    Keyed by the rendered path: a promoted environment applies the same file
    from its copy (``union`` must then hold that copy, ``promoted_view``).
    """
    applied: dict[str, str] = {}
    for unit in flux_units(union, cluster):
        if not reads_this_repository(unit):
            continue  # applied from another repository (the apps repository)
        folder = flux_folder(unit)
        assert folder is not None
        for file in applied_files(union, folder):
            text = substitute(dump(union[file]), substitutions(unit))
            assert not VARIABLE.search(text), f"{file} left unsubstituted on {cluster}"
            applied[shared_path(file)] = text
    return applied


def test_the_clusters_really_differ(trees: dict[str, dict[str, str]]) -> None:
    a_only = {p for p in trees["a"] if p.startswith("platform/")} - set(trees["b"])
    b_only = {p for p in trees["b"] if p.startswith("platform/")} - set(trees["a"])
    assert any("issuers-dns01-cloudflare" in p for p in a_only)
    assert any("issuers-http01" in p for p in b_only)


def test_shared_platform_files_are_byte_identical(trees: dict[str, dict[str, str]]) -> None:
    shared = {p for p in trees["a"].keys() & trees["b"].keys() if p.startswith("platform/")}
    assert "platform/traefik/helmrelease.yaml" in shared
    assert {p: trees["a"][p] for p in shared} == {p: trees["b"][p] for p in shared}


def test_each_cluster_renders_only_its_own_cluster_folder(
    trees: dict[str, dict[str, str]],
) -> None:
    for name, other in (("a", "b"), ("b", "a")):
        assert not [p for p in trees[name] if p.startswith(f"clusters/{other}/")]
        assert all(p.startswith(("platform/", f"clusters/{name}/")) for p in trees[name]), name


def test_no_platform_file_carries_a_per_cluster_value(trees: dict[str, dict[str, str]]) -> None:
    for cluster in (A, B):
        for other in (A, B):
            platform = [t for p, t in trees[cluster.name].items() if p.startswith("platform/")]
            assert not [t for t in platform if other.domain in t or other.email in t]


def test_the_shared_repository_breaks_no_rule(union: dict[str, Any]) -> None:
    assert tree_problems(union) == []


@pytest.mark.skipif(SCHEMAS is None, reason=NO_SCHEMAS_REASON)
def test_the_union_is_schema_valid_after_each_clusters_substitutions(
    union: dict[str, Any],
) -> None:
    assert SCHEMAS is not None
    assert cluster_schema_problems(union, SCHEMAS) == []


def test_each_cluster_substitutes_its_own_values(union: dict[str, Any]) -> None:
    for cluster, other in ((A, B), (B, A)):
        applied = applied_as(union, cluster.name)
        release = load(applied["platform/external-dns/helmrelease.yaml"])
        assert release["spec"]["values"]["domainFilters"] == [cluster.domain]
        assert release["spec"]["values"]["txtOwnerId"] == cluster.name
        issuers = [load(t) for t in applied.values() if "kind: ClusterIssuer" in t]
        assert issuers
        assert {issuer["spec"]["acme"]["email"] for issuer in issuers} == {cluster.email}
        assert not [path for path, text in applied.items() if other.domain in text]
    replicas = {
        c.name: load(applied_as(union, c.name)["platform/traefik/helmrelease.yaml"])["spec"][
            "values"
        ]["deployment"]["replicas"]
        for c in (A, B)
    }
    assert replicas == {"a": 2, "b": 3}


def test_the_substitution_variables_carry_each_clusters_values(union: dict[str, Any]) -> None:
    for cluster in (A, B):
        values: dict[str, set[str]] = {}
        for unit in flux_units(union, cluster.name):
            for name, value in substitutions(unit).items():
                values.setdefault(name, set()).add(value)
        assert values["cluster_domain"] == {cluster.domain}
        assert values["acme_email"] == {cluster.email}
        assert values["cluster_name"] == {cluster.name}


def test_database_and_cache_settings_reach_only_their_own_cluster(union: dict[str, Any]) -> None:
    clusters = {}
    for name in ("a", "b"):
        applied = applied_as(union, name)
        (cluster,) = [load(t) for t in applied.values() if "kind: Cluster\n" in t]
        (valkey,) = [load(t) for t in applied.values() if "kind: Valkey\n" in t]
        clusters[name] = (cluster, valkey, applied)
    cluster_a, valkey_a, applied_a = clusters["a"]
    cluster_b, valkey_b, applied_b = clusters["b"]
    assert (cluster_a["metadata"]["name"], cluster_b["metadata"]["name"]) == (
        "wildside-pg-main",
        "pg-b",
    )
    assert (cluster_a["spec"]["instances"], cluster_a["spec"]["enablePDB"]) == (3, True)
    assert (cluster_b["spec"]["instances"], cluster_b["spec"]["enablePDB"]) == (1, False)
    assert cluster_b["spec"]["bootstrap"]["initdb"]["owner"] == "routes_b_app"
    (store,) = [load(t) for t in applied_a.values() if "kind: ObjectStore\n" in t]
    assert store["spec"]["configuration"]["destinationPath"] == "s3://backups-a/wildside/a/cnpg"
    assert (
        cluster_a["spec"]["plugins"][0]["parameters"]["barmanObjectName"]
        == (store["metadata"]["name"])
    )
    assert "plugins" not in cluster_b["spec"] and "backup" not in cluster_b["spec"]
    assert not [p for p in applied_b if "backup" in p]
    assert any("scheduledbackup" in p for p in applied_a)
    assert valkey_a["spec"]["servicePassword"]["name"] == "valkey-password"
    assert valkey_b["spec"]["servicePassword"]["name"] == "cache-b-auth"
    assert (valkey_a["spec"]["nodes"], valkey_b["spec"]["nodes"]) == (1, 3)


def test_no_platform_file_carries_a_database_setting(trees: dict[str, dict[str, str]]) -> None:
    for tree in trees.values():
        platform = [t for p, t in tree.items() if p.startswith("platform/")]
        for value in ("pg-b", "routes_b", "cache-b", "backups-a", "ams3"):
            assert not [t for t in platform if value in t], value
