"""The observability component as rendered: units, order, variants, contract."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.observability.promtools import rule_file, run, write_yaml
from tests.platform.datastore_helpers import (
    applied,
    assert_folders_build,
    depends_on,
    render,
    unit_folder,
    units_of,
)
from wildside_constructs.observability import RuleOptions, component_rules

OBS_OFF = {"WILDSIDE_ENABLE_OBSERVABILITY": "false"}
MONITOR_UNITS = {
    "flux": "monitors-flux-system",
    "traefik": "monitors-traefik",
    "cert_manager": "monitors-cert-manager",
    "external_dns": "monitors-external-dns",
    "vault_eso": "monitors-external-secrets",
    "cnpg": "monitors-cloudnative-pg",
    "valkey": "monitors-valkey",
    "rabbitmq": "monitors-rabbitmq",
}


@pytest.fixture(scope="module")
def default() -> Any:
    return render()


def observability_files(stack: Any) -> set[str]:
    return {p for p in stack.rendered if "observability" in p or "/monitors-" in p}


def test_units_and_their_order(default: Any) -> None:
    assert set(units_of(default, "observability")) == {
        "observability",
        "observability-namespace",
        "observability-grafana-admin",
        "observability-routing",
        "observability-dashboards",
        "observability-otel-operator",
        "observability-collector",
    }
    assert set(units_of(default, "monitors-")) == set(MONITOR_UNITS.values())
    stack_deps = depends_on(default, "observability")
    for needed in ("sources", "observability-grafana-admin", "observability-routing"):
        assert needed in stack_deps
    # Monitors and rules need the CRDs kube-prometheus-stack installs.
    for key, unit in MONITOR_UNITS.items():
        # The broker's monitor also reads the broker's CA Secret, in its namespace.
        waits = ["rabbitmq-cluster"] if key == "rabbitmq" else []
        assert depends_on(default, unit) == ["observability", *waits], unit
    assert depends_on(default, "observability-collector") == ["observability-otel-operator"]
    assert "cert-manager" in depends_on(default, "observability-otel-operator")


def test_every_folder_builds_with_kustomize(default: Any, tmp_path: Path) -> None:
    files = {p: d for p, d in default.documents.items() if p.startswith("platform/observability/")}
    folders = assert_folders_build(tmp_path, files, "platform/observability/")
    assert "platform/observability/stack" in folders


def test_the_stack_is_pinned_small_and_selects_our_monitors(default: Any) -> None:
    release = applied(default, "observability", "helmrelease.yaml")
    chart = release["spec"]["chart"]["spec"]
    assert (chart["chart"], chart["version"]) == ("kube-prometheus-stack", "88.3.0")
    values = release["spec"]["values"]
    spec = values["prometheus"]["prometheusSpec"]
    assert (spec["retention"], spec["retentionSize"]) == ("10d", "4GB")
    claim = spec["storageSpec"]["volumeClaimTemplate"]["spec"]
    assert claim["resources"]["requests"]["storage"] == "5Gi"
    assert claim["storageClassName"] == "do-block-storage"
    assert spec["resources"]["requests"] == {"cpu": "200m", "memory": "768Mi"}
    for selector in ("serviceMonitor", "podMonitor", "rule", "probe", "scrapeConfig"):
        assert spec[f"{selector}SelectorNilUsesHelmValues"] is False
    for managed in ("kubeEtcd", "kubeScheduler", "kubeControllerManager"):
        assert values[managed]["enabled"] is False
    assert release["spec"]["valuesFrom"] == [
        {"kind": "ConfigMap", "name": "alertmanager-routing", "valuesKey": "values.yaml"}
    ]


def test_grafana_is_served_over_tls_with_no_anonymous_access(default: Any) -> None:
    grafana = applied(default, "observability", "helmrelease.yaml")["spec"]["values"]["grafana"]
    assert grafana["grafana.ini"]["auth.anonymous"]["enabled"] is False
    assert grafana["admin"]["existingSecret"] == "grafana-admin"
    assert "adminPassword" not in grafana
    ingress = grafana["ingress"]
    assert ingress["hosts"] == ["grafana.dev.example.com"]
    assert ingress["tls"] == [{"secretName": "grafana-tls", "hosts": ["grafana.dev.example.com"]}]
    assert ingress["annotations"]["cert-manager.io/cluster-issuer"].startswith("letsencrypt-")
    secret = applied(default, "observability-grafana-admin", "externalsecret.yaml")
    paths = {d["remoteRef"]["key"] for d in secret["spec"]["data"]}
    assert paths == {"wildside/dev/observability/grafana"}


def test_dashboards_are_json_with_pinned_datasources_and_no_flux_substitution(
    default: Any,
) -> None:
    maps = [d for d in default.documents.values() if d.get("kind") == "ConfigMap"]
    dashboards = [m for m in maps if m["metadata"].get("labels", {}).get("grafana_dashboard")]
    titles = set()
    for configmap in dashboards:
        assert configmap["metadata"]["annotations"] == {
            "kustomize.toolkit.fluxcd.io/substitute": "disabled"
        }
        (text,) = configmap["data"].values()
        board = json.loads(text)
        titles.add(board["title"])
        assert "${" not in text
        for panel in board["panels"]:
            assert panel["datasource"] == {"type": "prometheus", "uid": "prometheus"}
            assert all(t["datasource"]["uid"] == "prometheus" for t in panel["targets"])
    assert titles == {"Platform overview", "CloudNativePG", "Flux", "Traefik", "Valkey", "RabbitMQ"}


def test_rendered_rules_are_the_tested_rules_with_this_clusters_names(
    default: Any, tmp_path: Path
) -> None:
    options = RuleOptions(
        cnpg_cluster="wildside-pg-main", cnpg_backup_max_age_hours=None, valkey_name="valkey"
    )
    for key, unit in MONITOR_UNITS.items():
        rules = applied(default, unit, "rules.yaml")
        assert rules["spec"]["groups"] == component_rules(key, options), key
        write_yaml(tmp_path / f"{key}.yaml", rule_file(rules))
        checked = run("promtool", "check", "rules", f"{key}.yaml", cwd=tmp_path)
        assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize("key", ["external_dns", "cnpg", "valkey", "rabbitmq"])
def test_switching_a_component_off_removes_exactly_its_monitors(default: Any, key: str) -> None:
    stack = render({"components": {key: False}}, schemas=False)
    unit = MONITOR_UNITS[key]
    gone = observability_files(default) - observability_files(stack)
    folder = unit_folder(default, unit)
    expected = {f"clusters/dev/{unit}.yaml"} | {
        p for p in default.rendered if p.startswith(f"{folder}/")
    }
    assert gone == expected
    assert observability_files(stack) - observability_files(default) == set()


def test_switching_observability_off_removes_it_all() -> None:
    stack = render({}, OBS_OFF)
    assert observability_files(stack) == set()
    assert applied(stack, "valkey-cluster", "valkey.yaml")["spec"]["prometheus"] is False
    assert "observability_contract" not in str(stack.enabled)


def test_valkey_runs_its_exporter_when_observed(default: Any) -> None:
    assert applied(default, "valkey-cluster", "valkey.yaml")["spec"]["prometheus"] is True


def test_backups_on_give_the_backup_variant(default: Any) -> None:
    backup = {
        "enabled": True,
        "bucket": "backups",
        "endpoint": "https://nyc3.digitaloceanspaces.com",
    }
    stack = render({"cnpg": {"backup": backup}}, schemas=False)
    folder = unit_folder(stack, "monitors-cloudnative-pg")
    assert folder.endswith("cloudnative-pg-backup")
    names = {
        r["alert"]
        for r in applied(stack, "monitors-cloudnative-pg", "rules.yaml")["spec"]["groups"][0][
            "rules"
        ]
    }
    assert "CNPGLastBackupTooOld" in names
    assert unit_folder(default, "monitors-cloudnative-pg").endswith("/cloudnative-pg")


def test_no_trace_backend_keeps_a_valid_pipeline_that_says_so(default: Any) -> None:
    collector = applied(default, "observability-collector", "collector.yaml")
    config = collector["spec"]["config"]
    assert config["service"]["pipelines"]["traces"] == {
        "receivers": ["otlp"],
        "processors": ["memory_limiter", "batch"],
        "exporters": ["debug"],
    }
    assert set(config["receivers"]["otlp"]["protocols"]) == {"grpc", "http"}
    assert "no trace backend" in collector["metadata"]["annotations"]["wildside.io/trace-backend"]
    contract = default.components["observability"].contract()
    assert contract["traces_exported"] is False


def test_a_trace_backend_gets_the_otlp_exporter() -> None:
    stack = render({"observability": {"traces": {"endpoint": "https://tempo.example.com:4317"}}})
    assert unit_folder(stack, "observability-collector").endswith("/collector-otlp")
    config = applied(stack, "observability-collector", "collector.yaml")["spec"]["config"]
    assert config["exporters"]["otlp"] == {
        "endpoint": "https://tempo.example.com:4317",
        "tls": {"insecure": False},
    }
    assert config["service"]["pipelines"]["traces"]["exporters"] == ["otlp"]


def test_logs_to_an_operator_managed_opensearch() -> None:
    stack = render({"observability": {"logs": {"mode": "operator", "retention_days": 7}}})
    assert {"observability-logs-operator", "observability-logs-cluster"} <= set(
        units_of(stack, "observability-logs")
    )
    config = applied(stack, "observability-collector", "collector.yaml")["spec"]["config"]
    assert config["service"]["pipelines"]["logs"]["exporters"] == ["opensearch"]
    agent = applied(stack, "observability-logs-agent", "collector.yaml")
    assert agent["spec"]["mode"] == "daemonset"
    assert agent["spec"]["config"]["service"]["pipelines"]["logs"]["receivers"] == ["filelog"]
    assert agent["spec"]["volumeMounts"][0]["readOnly"] is True
    assert "observability-otel-operator" in depends_on(stack, "observability-logs-agent")
    settings = applied(stack, "observability-logs-credentials", "retention-settings.yaml")
    assert settings["data"]["RETENTION"] == "7d"
    release = applied(stack, "observability-logs-operator", "helmrelease.yaml")
    assert release["spec"]["chart"]["spec"]["version"] == "2.8.0"


def test_production_and_sandbox_route_differently() -> None:
    receivers = [{"name": "oncall", "type": "slack", "vault_path": "a/b", "channel": "#oncall"}]
    alerting = {"page_receiver": "oncall", "receivers": receivers}
    trees = {
        env: render({"cluster": {"environment": env}, "observability": {"alerting": alerting}})
        for env in ("production", "sandbox")
    }
    folders = {env: unit_folder(t, "observability-routing") for env, t in trees.items()}
    assert folders["production"] != folders["sandbox"]
    for env, tree in trees.items():
        values = yaml.safe_load(
            applied(tree, "observability-routing", "configmap.yaml")["data"]["values.yaml"]
        )
        routes = values["alertmanager"]["config"]["route"]["routes"]
        paged = [r for r in routes if r["receiver"] == "oncall"]
        assert bool(paged) == (env == "production"), env
        assert values["alertmanager"]["alertmanagerSpec"]["secrets"] == ["alertmanager-receivers"]


def test_the_rendered_alertmanager_config_passes_amtool(default: Any, tmp_path: Path) -> None:
    values = yaml.safe_load(
        applied(default, "observability-routing", "configmap.yaml")["data"]["values.yaml"]
    )
    write_yaml(tmp_path / "am.yaml", values["alertmanager"]["config"])
    done = run("amtool", "check-config", "am.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_contract_names_the_in_cluster_endpoints(default: Any) -> None:
    contract = default.components["observability"].contract()
    assert contract["prometheus_url"] == "http://kps-prometheus.monitoring.svc:9090"
    assert contract["alertmanager_url"] == "http://kps-alertmanager.monitoring.svc:9093"
    assert contract["grafana_url"] == "http://grafana.monitoring.svc:80"
    assert contract["grafana_external_url"] == "https://grafana.dev.example.com"
    assert contract["otlp_grpc_endpoint"] == "http://otel-collector.monitoring.svc:4317"
    assert contract["otlp_http_endpoint"] == "http://otel-collector.monitoring.svc:4318"
    assert contract["alerts_page"] is False
