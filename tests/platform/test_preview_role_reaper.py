"""The preview-role reaper as rendered: where it runs, what it may do, what it costs.

Its SQL runs against a real PostgreSQL in test_preview_role_reaper_sql.py;
the guards are also checked here, on the text, for machines without one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.platform.datastore_helpers import applied, depends_on, flux_vars, render, units_of
from tests.pod_security import restricted
from wildside_constructs.capacity import cpu_millis, memory_mib, workloads_of
from wildside_constructs.cluster.flux_sync import FLUX_CLI_IMAGE
from wildside_constructs.preview_roles import REAPER_GRACE_SECONDS, REAPER_SQL, ROLE_SQL
from wildside_constructs.settings.apps import AppsSettings
from wildside_ops.apps.context import AppContext
from wildside_ops.apps.preview_docs import preview_documents

UNIT = "apps-preview-role-reaper"


@pytest.fixture(scope="module")
def preview_cluster() -> Any:
    return render(
        {"cnpg": {"name": "pg-previews", "image": "ghcr.io/cloudnative-pg/postgis:17-3.5"}}
    )


def _pod(stack: Any) -> dict[str, Any]:
    cron_job = applied(stack, UNIT, "cronjob.yaml")
    spec: dict[str, Any] = cron_job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return spec


def test_the_preview_cluster_reaps_in_databases_after_its_postgres(preview_cluster: Any) -> None:
    assert depends_on(preview_cluster, UNIT) == ["cnpg-cluster"]
    cron_job = applied(preview_cluster, UNIT, "cronjob.yaml")
    assert cron_job["metadata"]["namespace"] == "databases"
    assert cron_job["spec"]["concurrencyPolicy"] == "Forbid"
    pod = _pod(preview_cluster)
    (reap,) = pod["containers"]
    env = {e["name"]: e.get("value", e.get("valueFrom")) for e in reap["env"]}
    # The role Jobs' credentials and the cluster's own image, substituted per cluster.
    assert env["PGHOST"] == "pg-previews-rw.databases.svc.cluster.local"
    assert env["PGUSER"] == {"secretKeyRef": {"name": "pg-previews-superuser", "key": "username"}}
    assert reap["image"] == "ghcr.io/cloudnative-pg/postgis:17-3.5"
    (list_owners,) = pod["initContainers"]
    assert list_owners["image"] == FLUX_CLI_IMAGE
    assert "databases.postgresql.cnpg.io --namespace databases" in list_owners["command"][-1]
    assert set(flux_vars(preview_cluster, UNIT)) == {
        "cnpg_cluster_name",
        "cnpg_image",
        "cnpg_superuser_secret",
    }


def test_the_script_is_applied_verbatim_without_substitution(preview_cluster: Any) -> None:
    config_map = applied(preview_cluster, UNIT, "configmap.yaml")
    annotations = config_map["metadata"]["annotations"]
    assert annotations["kustomize.toolkit.fluxcd.io/substitute"] == "disabled"
    assert list(config_map["data"].values()) == [REAPER_SQL]
    (reap,) = _pod(preview_cluster)["containers"]
    mounted = {m["name"]: m["mountPath"] for m in reap["volumeMounts"]}
    script = reap["command"][reap["command"].index("--file") + 1]
    assert script == f"{mounted['sql']}/{next(iter(config_map['data']))}"


def test_it_passes_pod_security_restricted_with_requests_and_pinned_images(
    preview_cluster: Any,
) -> None:
    pod = _pod(preview_cluster)
    assert restricted(pod) == []
    for container in pod["containers"] + pod["initContainers"]:
        assert set(container["resources"]["requests"]) == {"cpu", "memory"}
        assert ":" in container["image"].rsplit("/", 1)[-1], container["image"]
        assert not container["image"].endswith(":latest")


def test_the_capacity_check_counts_what_it_requests(preview_cluster: Any) -> None:
    pod = _pod(preview_cluster)
    # Init containers run before the main one: the pod requests the larger of them.
    cpu = max(cpu_millis(c["resources"]["requests"]["cpu"]) for c in pod["initContainers"])
    memory = max(memory_mib(c["resources"]["requests"]["memory"]) for c in pod["initContainers"])
    cpu = max(cpu, sum(cpu_millis(c["resources"]["requests"]["cpu"]) for c in pod["containers"]))
    memory = max(
        memory, sum(memory_mib(c["resources"]["requests"]["memory"]) for c in pod["containers"])
    )
    (counted,) = [w for w in workloads_of([("apps", AppsSettings())]) if "reaper" in w.name]
    assert (counted.name, counted.cpu, counted.memory) == ("apps/preview-role-reaper", cpu, memory)


def test_it_may_only_read_database_resources(preview_cluster: Any) -> None:
    role = applied(preview_cluster, UNIT, "role.yaml")
    assert role["metadata"]["namespace"] == "databases"
    assert role["rules"] == [
        {"apiGroups": ["postgresql.cnpg.io"], "resources": ["databases"], "verbs": ["get", "list"]}
    ]
    binding = applied(preview_cluster, UNIT, "rolebinding.yaml")
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": _pod(preview_cluster)["serviceAccountName"],
         "namespace": "databases"}
    ]  # fmt: skip


def test_network_policy_admits_it_to_postgres_as_it_admits_the_role_jobs(
    preview_cluster: Any,
) -> None:
    """Ingress to databases is denied by default; pods of databases itself are let in."""
    policies = [
        doc
        for doc in preview_cluster.documents.values()
        if doc.get("kind") == "NetworkPolicy" and doc["metadata"]["namespace"] == "databases"
    ]
    names = {p["metadata"]["name"] for p in policies}
    assert "default-deny-ingress" in names
    same = [
        p
        for p in policies
        if p["spec"]["podSelector"] == {}
        and any(rule.get("from") == [{"podSelector": {}}] and "ports" not in rule
                for rule in p["spec"].get("ingress", []))
    ]  # fmt: skip
    assert same, names


def test_no_reaper_where_there_are_no_previews_or_no_postgres() -> None:
    production = render({"cluster": {"name": "prod", "environment": "production"}})
    assert UNIT not in units_of(production, "apps-", cluster="prod")
    assert not any("preview-role-reaper" in path for path in production.documents)
    no_cnpg = render({}, {"WILDSIDE_ENABLE_CNPG": "false"})
    assert "apps-ephemeral" in units_of(no_cnpg, "apps-")
    assert UNIT not in units_of(no_cnpg, "apps-")


def test_the_guards_are_in_the_script() -> None:
    """What the real-PostgreSQL test proves, kept visible where no server runs."""
    assert "r.rolname ~ '^pr_[0-9]+$'" in REAPER_SQL
    assert "'^wildside preview [0-9]+, set at [0-9]{1,12} \\(Unix time\\)$'" in REAPER_SQL
    assert "= substr(r.rolname, 4)" in REAPER_SQL
    assert f"- {REAPER_GRACE_SECONDS}" in REAPER_SQL and REAPER_GRACE_SECONDS >= 600
    assert "NOT EXISTS (SELECT FROM pg_database db WHERE db.datdba = r.oid)" in REAPER_SQL
    assert "NOT EXISTS (SELECT FROM live_owners" in REAPER_SQL
    assert "NOT r.rolsuper" in REAPER_SQL
    # The role Job writes the marker the reaper reads.
    assert "'wildside preview ' || substr(:'role', 4) || ', set at '" in ROLE_SQL
    assert "' (Unix time)'" in ROLE_SQL


def preview_context() -> AppContext:
    """What `wildside app deploy` knows of the embedded default's database."""
    return AppContext(
        apps=AppsSettings().resolved("dev.example.com"),
        db_cluster="wildside-pg-main",
        db_image="ghcr.io/cloudnative-pg/postgis:16-3.4",
        superuser_secret="wildside-pg-main-superuser",
        workdir=Path("unused"),
        remote=None,
        author_name="t",
        author_email="t@example.com",
    )


def test_the_role_job_is_restricted_and_recreated_when_it_changes() -> None:
    (job,) = [d for d in preview_documents(preview_context(), 5) if d["kind"] == "Job"]
    assert restricted(job["spec"]["template"]["spec"]) == []
    # Flux recreates a Job whose template changed instead of failing every preview.
    assert job["metadata"]["annotations"] == {"kustomize.toolkit.fluxcd.io/force": "enabled"}
    (container,) = job["spec"]["template"]["spec"]["containers"]
    assert {"name": "ROLE_SQL", "value": ROLE_SQL} in container["env"]
