"""cnpg: the operator release, the PostGIS Cluster, its credentials and its contract."""

from __future__ import annotations

from typing import Any

import pytest

from tests.platform.datastore_helpers import (
    NO_VAULT,
    applied,
    depends_on,
    documents_of_kind,
    flux_vars,
    render,
    unit_folder,
    units_of,
)
from tests.support import problems_of, synth_json
from wildside_constructs.settings.vault import CLUSTER_SECRET_STORE, SECRET_STORE_UNIT

CLUSTER = "cluster.yaml"
SECRETS = {"source": "secret", "superuser_secret": "pg-admin", "app_secret": "pg-app"}


@pytest.fixture(scope="module")
def default() -> Any:
    return render()


def test_release_is_pinned_and_sourced(default: Any) -> None:
    release = default.documents["platform/databases/helmrelease.yaml"]
    assert release["metadata"]["namespace"] == "cnpg-system"
    chart = release["spec"]["chart"]["spec"]
    assert (chart["chart"], chart["version"]) == ("cloudnative-pg", "0.26.1")
    assert chart["sourceRef"] == {
        "kind": "HelmRepository",
        "name": "cloudnative-pg",
        "namespace": "flux-system",
    }
    assert release["spec"]["values"]["crds"] == {"create": True}
    repository = default.documents["platform/sources/cloudnative-pg/helmrepository.yaml"]
    assert repository["spec"] == {
        "interval": "24h",
        "url": "https://cloudnative-pg.github.io/charts",
    }
    # Network policies are checked in tests/platform/test_network_policies.py.
    assert [
        r
        for r in default.documents["platform/databases/kustomization.yaml"]["resources"]
        if not r.startswith("networkpolicy-")
    ] == [
        "helmrelease.yaml",
        "namespace-cnpg-system.yaml",
        "namespace-databases.yaml",
    ]
    namespaces = [
        default.documents[f"platform/databases/namespace-{name}.yaml"]["metadata"]["name"]
        for name in ("cnpg-system", "databases")
    ]
    assert namespaces == ["cnpg-system", "databases"]
    assert unit_folder(default, "cnpg") == "platform/databases"
    assert depends_on(default, "cnpg") == ["sources"]
    assert (
        "../../../platform/sources/cloudnative-pg"
        in (default.documents["clusters/dev/sources/kustomization.yaml"]["resources"])
    )


@pytest.mark.parametrize(
    ("overrides", "env"),
    [({}, {"WILDSIDE_ENABLE_CNPG": "false"}), ({"components": {"cnpg": False}}, {})],
)
def test_disabling_removes_every_cnpg_file(overrides: dict[str, Any], env: dict[str, str]) -> None:
    stack = render(overrides, env)
    assert not [p for p in stack.rendered if "databases" in p or "cloudnative-pg" in p]
    assert units_of(stack, "cnpg") == []
    assert "cnpg" not in stack.components
    assert "cnpg_contract" not in synth_json(stack)["output"]
    assert "platform/redis/helmrelease.yaml" in stack.rendered


def test_settings_reach_the_cluster_through_substitutions(default: Any) -> None:
    settings = {
        "name": "geo",
        "instances": 2,
        "image": "ghcr.io/cloudnative-pg/postgis:17-3.5",
        "storage_size": "20Gi",
        "storage_class": "fast-ssd",
        "database": "routes",
        "owner": "routes_app",
        "resources": {"cpu_limit": "1500m", "memory_request": "1Gi"},
        "operator_resources": {"memory_limit": "300Mi"},
    }
    stack = render({"cnpg": settings})
    cluster = applied(stack, "cnpg-cluster", CLUSTER)
    spec = cluster["spec"]
    assert cluster["metadata"] == {
        "name": "geo",
        "namespace": "databases",
        "labels": {
            "app.kubernetes.io/managed-by": "wildside-infra-k8s",
            "app.kubernetes.io/part-of": "cloudnative-pg",
        },
    }
    # Substituted as YAML: the schema's integer and boolean, not strings.
    assert spec["instances"] == 2
    assert spec["enablePDB"] is True
    assert spec["imageName"] == "ghcr.io/cloudnative-pg/postgis:17-3.5"
    assert spec["storage"] == {"size": "20Gi", "storageClass": "fast-ssd"}
    assert spec["bootstrap"]["initdb"]["database"] == "routes"
    assert spec["bootstrap"]["initdb"]["owner"] == "routes_app"
    assert spec["resources"] == {
        "requests": {"cpu": "100m", "memory": "1Gi"},
        "limits": {"cpu": "1500m", "memory": "2Gi"},
    }
    release = applied(stack, "cnpg", "helmrelease.yaml")
    assert release["spec"]["values"]["resources"]["limits"]["memory"] == "300Mi"
    # Every value lives in clusters/dev/, so the platform files did not change.
    shared = [p for p in stack.rendered if p.startswith("platform/databases/")]
    assert shared
    assert all(stack.rendered[p] == default.rendered[p] for p in shared)
    assert flux_vars(stack, "cnpg-cluster")["cnpg_storage_class"] == "fast-ssd"


@pytest.mark.parametrize(("instances", "pdb"), [(1, False), (2, True), (5, True)])
def test_disruption_budgets_follow_the_instance_count(
    default: Any, instances: int, pdb: bool
) -> None:
    stack = render({"cnpg": {"instances": instances}})
    spec = applied(stack, "cnpg-cluster", CLUSTER)["spec"]
    assert (spec["instances"], spec["enablePDB"]) == (instances, pdb)
    assert stack.components["cnpg"].database_contract.pdb_enabled is pdb
    # The operator's budgets, not a rendered one; one file for every count.
    assert documents_of_kind(stack, "PodDisruptionBudget") == {}
    folder = unit_folder(stack, "cnpg-cluster")
    assert stack.rendered[f"{folder}/{CLUSTER}"] == default.rendered[f"{folder}/{CLUSTER}"]


def test_vault_clusters_read_both_passwords_through_external_secrets(default: Any) -> None:
    assert units_of(default, "cnpg") == ["cnpg", "cnpg-cluster", "cnpg-credentials"]
    assert unit_folder(default, "cnpg-credentials") == "platform/databases/credentials-vault"
    assert depends_on(default, "cnpg-credentials") == ["cnpg", SECRET_STORE_UNIT]
    # The Cluster waits for its Secrets, so bootstrap finds them.
    assert depends_on(default, "cnpg-cluster") == ["cnpg", "cnpg-credentials"]
    expected = {
        "superuser": ("wildside-pg-main-superuser", "postgres", "wildside/dev/cnpg/superuser"),
        "app": ("wildside-pg-main-app", "wildside_app", "wildside/dev/cnpg/app"),
    }
    for name, (secret, user, path) in expected.items():
        document = applied(default, "cnpg-credentials", f"externalsecret-{name}.yaml")
        assert document["apiVersion"] == "external-secrets.io/v1"
        assert document["metadata"]["namespace"] == "databases"
        spec = document["spec"]
        assert spec["secretStoreRef"] == {
            "kind": "ClusterSecretStore",
            "name": CLUSTER_SECRET_STORE,
        }
        assert spec["target"]["name"] == secret
        assert spec["target"]["creationPolicy"] == "Owner"
        # Only the password comes from Vault; the user name is the Cluster's own.
        assert spec["data"] == [
            {"secretKey": "password", "remoteRef": {"key": path, "property": "password"}}
        ]
        template = spec["target"]["template"]
        assert template["type"] == "kubernetes.io/basic-auth"
        assert template["data"] == {"username": user, "password": "{{ .password }}"}
    spec = applied(default, "cnpg-cluster", CLUSTER)["spec"]
    assert unit_folder(default, "cnpg-cluster") == "platform/databases/cluster-referenced"
    assert spec["superuserSecret"] == {"name": "wildside-pg-main-superuser"}
    assert spec["bootstrap"]["initdb"]["secret"] == {"name": "wildside-pg-main-app"}
    # The embedded default hosts the previews, whose role Jobs log in as postgres.
    assert spec["enableSuperuserAccess"] is True
    # Elsewhere it is off unless asked for: applications use the owner.
    off = render({"cnpg": {"superuser_access": False}, "apps": {"preview_cluster": "elsewhere"}})
    assert applied(off, "cnpg-cluster", CLUSTER)["spec"]["enableSuperuserAccess"] is False


def test_without_vault_cnpg_generates_the_credentials() -> None:
    stack = render({}, NO_VAULT)
    assert units_of(stack, "cnpg") == ["cnpg", "cnpg-cluster"]
    assert unit_folder(stack, "cnpg-cluster") == "platform/databases/cluster-generated"
    assert documents_of_kind(stack, "ExternalSecret") == {}
    assert documents_of_kind(stack, "Secret") == {}
    assert all(SECRET_STORE_UNIT not in depends_on(stack, u) for u in units_of(stack, "cnpg"))
    spec = applied(stack, "cnpg-cluster", CLUSTER)["spec"]
    assert "superuserSecret" not in spec
    assert "secret" not in spec["bootstrap"]["initdb"]
    # The names CNPG generates: the contract is the same as with Vault.
    component = stack.components["cnpg"].database_contract
    assert (component.superuser_secret, component.app_secret) == (
        "wildside-pg-main-superuser",
        "wildside-pg-main-app",
    )
    assert component.credentials_source == "operator"


@pytest.mark.parametrize("env", [{}, NO_VAULT])
def test_user_created_secrets_are_referenced_never_rendered(env: dict[str, str]) -> None:
    stack = render({"cnpg": {"credentials": SECRETS}}, env)
    assert units_of(stack, "cnpg") == ["cnpg", "cnpg-cluster"]
    assert not [d for d in documents_of_kind(stack, "ExternalSecret") if "databases" in d]
    spec = applied(stack, "cnpg-cluster", CLUSTER)["spec"]
    assert spec["superuserSecret"] == {"name": "pg-admin"}
    assert spec["bootstrap"]["initdb"]["secret"] == {"name": "pg-app"}
    assert stack.components["cnpg"].credentials_mode == "secret"


def test_the_operator_source_is_always_available() -> None:
    stack = render({"cnpg": {"credentials": {"source": "operator"}}})
    assert units_of(stack, "cnpg") == ["cnpg", "cnpg-cluster"]
    assert unit_folder(stack, "cnpg-cluster") == "platform/databases/cluster-generated"


def test_vault_credentials_without_vault_eso_are_a_configuration_error() -> None:
    problems = problems_of({"cnpg": {"credentials": {"source": "vault"}}}, NO_VAULT)
    assert "cnpg.credentials.source = 'vault'" in problems["components.vault_eso"]
    assert "WILDSIDE_ENABLE_VAULT_ESO=true" in problems["components.vault_eso"]
    # "auto" falls back to the operator instead.
    render({}, NO_VAULT, schemas=False)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": "Wildside"}, "cnpg.name"),
        ({"name": "9pg"}, "cnpg.name"),
        ({"name": "a" * 51}, "cnpg.name"),
        ({"instances": 0}, "cnpg.instances"),
        ({"instances": 11}, "cnpg.instances"),
        ({"instances": "3"}, "cnpg.instances"),
        ({"image": "postgres:16"}, "cnpg.image"),
        ({"image": "ghcr.io/cloudnative-pg/postgres:16"}, "cnpg.image"),
        ({"image": "ghcr.io/cloudnative-pg/postgis"}, "cnpg.image"),
        ({"image": "ghcr.io/cloudnative-pg/postgis:latest"}, "cnpg.image"),
        ({"storage_size": "50"}, "cnpg.storage_size"),
        ({"storage_size": "50GB"}, "cnpg.storage_size"),
        ({"storage_size": ""}, "cnpg.storage_size"),
        ({"storage_class": ""}, "cnpg.storage_class"),
        ({"storage_class": "Fast_SSD"}, "cnpg.storage_class"),
        ({"database": ""}, "cnpg.database"),
        ({"database": "postgres"}, "cnpg.database"),
        ({"database": "Wildside"}, "cnpg.database"),
        ({"owner": "postgres"}, "cnpg.owner"),
        ({"owner": "pg_app"}, "cnpg.owner"),
        ({"owner": "true"}, "cnpg.owner"),
        ({"resources": {"cpu_limit": "two"}}, "cnpg.resources.cpu_limit"),
        ({"operator_resources": {"memory_request": "x"}}, "cnpg.operator_resources.memory_request"),
        ({"credentials": {"source": "ldap"}}, "cnpg.credentials.source"),
        ({"credentials": {"source": "secret"}}, "cnpg.credentials.superuser_secret"),
        ({"credentials": {**SECRETS, "app_secret": "App"}}, "cnpg.credentials.app_secret"),
        ({"credentials": {"app_vault_path": "/x"}}, "cnpg.credentials.app_vault_path"),
        ({"replicas": 3}, "cnpg.replicas"),
    ],
)
def test_bad_settings_name_the_field(overrides: dict[str, Any], field: str) -> None:
    problems = problems_of({"cnpg": overrides})
    assert field in problems, problems


def test_settings_are_not_checked_while_cnpg_is_off() -> None:
    render({"components": {"cnpg": False}, "cnpg": {"instances": 0}}, schemas=False)


def test_contract_is_published_with_endpoints_and_secret_names(default: Any) -> None:
    component = default.components["cnpg"].database_contract
    assert component.primary.host == "wildside-pg-main-rw.databases.svc.cluster.local"
    assert component.replica.service == "wildside-pg-main-ro"
    contract = synth_json(default)["output"]["cnpg_contract"]["value"]
    assert contract["primary"] == {
        "service": "wildside-pg-main-rw",
        "host": "wildside-pg-main-rw.databases.svc.cluster.local",
        "port": 5432,
    }
    assert contract["replica"] == {
        "service": "wildside-pg-main-ro",
        "host": "wildside-pg-main-ro.databases.svc.cluster.local",
        "port": 5432,
    }
    assert contract["port"] == 5432
    assert (contract["database"], contract["owner"]) == ("wildside", "wildside_app")
    assert contract["superuser_secret"] == "wildside-pg-main-superuser"
    assert contract["app_secret"] == "wildside-pg-main-app"
    assert contract["credentials_source"] == "vault"
    assert (contract["namespace"], contract["operator_namespace"]) == ("databases", "cnpg-system")
    assert (contract["instances"], contract["pdb_enabled"]) == (3, True)
    assert contract["backup_enabled"] is False
    assert contract["cluster_unit"] == "cnpg-cluster"


def test_contract_follows_the_configured_names() -> None:
    stack = render({"cnpg": {"name": "geo", "credentials": SECRETS}}, NO_VAULT, schemas=False)
    contract = stack.components["cnpg"].contract()
    assert contract["primary"]["host"] == "geo-rw.databases.svc.cluster.local"
    assert contract["replica"]["host"] == "geo-ro.databases.svc.cluster.local"
    assert (contract["superuser_secret"], contract["app_secret"]) == ("pg-admin", "pg-app")
