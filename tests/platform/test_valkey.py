"""valkey: the operator release, the Valkey resource, its password and its contract."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.platform.datastore_helpers import (
    NO_VAULT,
    applied,
    assert_folders_build,
    depends_on,
    documents_of_kind,
    flux_vars,
    render,
    unit_folder,
    units_of,
)
from tests.support import NO_SCHEMAS_REASON, SCHEMAS, all_units, problems_of, synth_json
from wildside_constructs.settings.vault import CLUSTER_SECRET_STORE, SECRET_STORE_UNIT
from wildside_constructs.validation.tree import schema_problems

VALKEY = "valkey.yaml"
USER_SECRET = {"source": "secret", "secret_name": "cache-auth", "secret_key": "redis-password"}
VARIANTS: list[tuple[dict[str, Any], dict[str, str]]] = [
    ({}, {}),
    ({}, NO_VAULT),
    ({"valkey": {"password": USER_SECRET}}, NO_VAULT),
]


@pytest.fixture(scope="module")
def default() -> Any:
    return render()


def test_release_is_pinned_to_the_oci_chart(default: Any) -> None:
    release = default.documents["platform/redis/helmrelease.yaml"]
    assert release["metadata"]["namespace"] == "valkey-system"
    chart = release["spec"]["chart"]["spec"]
    # The operator publishes release v0.0.60 as chart version v0.0.60-chart.
    assert (chart["chart"], chart["version"]) == ("valkey-operator", "v0.0.60-chart")
    assert chart["sourceRef"] == {
        "kind": "HelmRepository",
        "name": "valkey-operator",
        "namespace": "flux-system",
    }
    repository = default.documents["platform/sources/valkey-operator/helmrepository.yaml"]
    assert repository["spec"] == {
        "interval": "24h",
        "type": "oci",
        "url": "oci://ghcr.io/hyperspike",
    }
    # Network policies are checked in tests/platform/test_network_policies.py.
    assert [
        r
        for r in default.documents["platform/redis/kustomization.yaml"]["resources"]
        if not r.startswith("networkpolicy-")
    ] == [
        "helmrelease.yaml",
        "namespace-valkey-system.yaml",
        "namespace-valkey.yaml",
    ]
    assert unit_folder(default, "valkey") == "platform/redis"
    assert depends_on(default, "valkey") == ["sources"]
    assert (
        "../../../platform/sources/valkey-operator"
        in (default.documents["clusters/dev/sources/kustomization.yaml"]["resources"])
    )


@pytest.mark.parametrize(
    ("overrides", "env"),
    [({}, {"WILDSIDE_ENABLE_VALKEY": "false"}), ({"components": {"valkey": False}}, {})],
)
def test_disabling_removes_every_valkey_file(
    overrides: dict[str, Any], env: dict[str, str]
) -> None:
    stack = render(overrides, env)
    assert not [p for p in stack.rendered if "redis" in p or "valkey" in p]
    assert units_of(stack, "valkey") == []
    assert "valkey_contract" not in synth_json(stack)["output"]
    assert "platform/databases/helmrelease.yaml" in stack.rendered


def test_settings_reach_the_resource_through_substitutions(default: Any) -> None:
    settings = {
        "name": "cache",
        "nodes": 3,
        "replicas": 1,
        "storage_size": "5Gi",
        "storage_class": "fast-ssd",
        "resources": {"memory_limit": "1Gi", "cpu_request": "250m"},
    }
    stack = render({"valkey": settings})
    valkey = applied(stack, "valkey-cluster", VALKEY)
    assert valkey["metadata"]["name"] == "cache"
    assert valkey["metadata"]["namespace"] == "valkey"
    spec = valkey["spec"]
    assert (spec["nodes"], spec["replicas"]) == (3, 1)
    assert spec["storage"]["spec"] == {
        "accessModes": ["ReadWriteOnce"],
        "storageClassName": "fast-ssd",
        "resources": {"requests": {"storage": "5Gi"}},
    }
    assert spec["resources"] == {
        "requests": {"cpu": "250m", "memory": "128Mi"},
        "limits": {"cpu": "500m", "memory": "1Gi"},
    }
    assert spec["anonymousAuth"] is False
    shared = [p for p in stack.rendered if p.startswith("platform/redis/")]
    assert shared
    assert all(stack.rendered[p] == default.rendered[p] for p in shared)
    assert flux_vars(stack, "valkey-cluster")["valkey_nodes"] == "3"


def test_vault_clusters_read_the_password_through_an_external_secret(default: Any) -> None:
    assert units_of(default, "valkey") == ["valkey", "valkey-cluster", "valkey-password"]
    assert unit_folder(default, "valkey-password") == "platform/redis/password-vault"
    assert depends_on(default, "valkey-password") == ["valkey", SECRET_STORE_UNIT]
    assert depends_on(default, "valkey-cluster") == ["valkey", "valkey-password"]
    secret = applied(default, "valkey-password", "externalsecret.yaml")
    assert secret["apiVersion"] == "external-secrets.io/v1"
    assert secret["metadata"]["namespace"] == "valkey"
    assert secret["spec"]["secretStoreRef"] == {
        "kind": "ClusterSecretStore",
        "name": CLUSTER_SECRET_STORE,
    }
    assert secret["spec"]["target"]["name"] == "valkey-password"
    assert secret["spec"]["data"] == [
        {
            "secretKey": "password",
            "remoteRef": {"key": "wildside/dev/valkey", "property": "password"},
        }
    ]
    assert unit_folder(default, "valkey-cluster") == "platform/redis/cluster-referenced"
    spec = applied(default, "valkey-cluster", VALKEY)["spec"]
    assert spec["servicePassword"] == {"name": "valkey-password", "key": "password"}


def test_vault_paths_follow_the_settings() -> None:
    stack = render({"valkey": {"password": {"vault_path": "kv/${cluster_name}/cache"}}})
    remote = applied(stack, "valkey-password", "externalsecret.yaml")["spec"]["data"][0]
    assert remote["remoteRef"]["key"] == "kv/dev/cache"


def test_without_vault_the_operator_generates_the_password() -> None:
    stack = render({}, NO_VAULT)
    assert units_of(stack, "valkey") == ["valkey", "valkey-cluster"]
    assert depends_on(stack, "valkey-cluster") == ["valkey"]
    assert unit_folder(stack, "valkey-cluster") == "platform/redis/cluster-generated"
    assert documents_of_kind(stack, "ExternalSecret") == {}
    assert documents_of_kind(stack, "Secret") == {}
    spec = applied(stack, "valkey-cluster", VALKEY)["spec"]
    # No servicePassword: the operator writes Secret <name> with key "password".
    assert "servicePassword" not in spec
    assert spec["anonymousAuth"] is False
    contract = stack.components["valkey"].contract()
    assert (contract["password_secret"], contract["password_key"]) == ("valkey", "password")
    assert contract["credentials_source"] == "operator"


@pytest.mark.parametrize("env", [{}, NO_VAULT])
def test_a_user_created_secret_is_referenced_never_rendered(env: dict[str, str]) -> None:
    stack = render({"valkey": {"password": USER_SECRET}}, env)
    assert units_of(stack, "valkey") == ["valkey", "valkey-cluster"]
    assert not [p for p in documents_of_kind(stack, "ExternalSecret") if "redis" in p]
    spec = applied(stack, "valkey-cluster", VALKEY)["spec"]
    assert spec["servicePassword"] == {"name": "cache-auth", "key": "redis-password"}
    contract = stack.components["valkey"].contract()
    assert (contract["password_secret"], contract["password_key"]) == (
        "cache-auth",
        "redis-password",
    )


def test_vault_password_without_vault_eso_is_a_configuration_error() -> None:
    problems = problems_of({"valkey": {"password": {"source": "vault"}}}, NO_VAULT)
    assert "valkey.password.source = 'vault'" in problems["components.vault_eso"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": "Cache"}, "valkey.name"),
        ({"name": "cache-"}, "valkey.name"),
        ({"nodes": 0}, "valkey.nodes"),
        ({"nodes": 11}, "valkey.nodes"),
        ({"replicas": -1}, "valkey.replicas"),
        ({"replicas": 6}, "valkey.replicas"),
        ({"storage_size": "1"}, "valkey.storage_size"),
        ({"storage_class": "A"}, "valkey.storage_class"),
        ({"resources": {"memory_limit": "lots"}}, "valkey.resources.memory_limit"),
        ({"password": {"source": "random"}}, "valkey.password.source"),
        ({"password": {"source": "secret"}}, "valkey.password.secret_name"),
        ({"password": {**USER_SECRET, "secret_key": "a b"}}, "valkey.password.secret_key"),
        ({"password": {"vault_path": ""}}, "valkey.password.vault_path"),
        ({"password": {"vault_property": "a/b"}}, "valkey.password.vault_property"),
        ({"anonymous_auth": True}, "valkey.anonymous_auth"),
    ],
)
def test_bad_settings_name_the_field(overrides: dict[str, Any], field: str) -> None:
    problems = problems_of({"valkey": overrides})
    assert field in problems, problems


def test_contract_is_published_with_the_operator_service_names(default: Any) -> None:
    component = default.components["valkey"]
    assert component.valkey_contract.host == "valkey.valkey.svc.cluster.local"
    contract = synth_json(default)["output"]["valkey_contract"]["value"]
    assert contract == {
        "namespace": "valkey",
        "operator_namespace": "valkey-system",
        "name": "valkey",
        "service": "valkey",
        "host": "valkey.valkey.svc.cluster.local",
        "port": 6379,
        "headless_service": "valkey-headless",
        "cluster_mode": True,
        "credentials_source": "vault",
        "password_secret": "valkey-password",
        "password_key": "password",
        "nodes": 1,
        "replicas": 0,
        "cluster_unit": "valkey-cluster",
    }


def test_contract_follows_the_configured_name() -> None:
    contract = render({"valkey": {"name": "cache"}}, schemas=False).components["valkey"].contract()
    assert (contract["service"], contract["host"]) == ("cache", "cache.valkey.svc.cluster.local")
    assert contract["password_secret"] == "cache-password"


@pytest.mark.skipif(SCHEMAS is None, reason=NO_SCHEMAS_REASON)
def test_every_variant_is_schema_valid_after_substitution() -> None:
    assert SCHEMAS is not None
    for overrides, env in VARIANTS:
        stack = render(overrides, env, schemas=False)
        assert schema_problems(stack.documents, all_units(stack), SCHEMAS) == []
    kinds = {f"{d['apiVersion']}/{d['kind']}" for d in render().documents.values()}
    assert "hyperspike.io/v1/Valkey" in kinds


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kustomize_builds_every_redis_folder(tmp_path: Path) -> None:
    files: dict[str, Any] = {}
    for overrides, env in VARIANTS:
        files.update(render(overrides, env, schemas=False).documents)
    built = assert_folders_build(tmp_path, files, "platform/redis")
    assert built == {
        "platform/redis",
        "platform/redis/password-vault",
        "platform/redis/cluster-generated",
        "platform/redis/cluster-referenced",
    }
