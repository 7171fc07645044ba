"""Two clusters with different observability settings in one GitOps repository."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import NO_SCHEMAS_REASON, SCHEMAS, example_with, render_platform
from tests.validation.test_two_clusters import applied_as, flux_units
from wildside_constructs.promotion import promoted_view
from wildside_constructs.validation.disk import cluster_schema_problems
from wildside_constructs.validation.rules import tree_problems
from wildside_constructs.yamlout import load

PROD = {
    "cluster": {"name": "prod", "environment": "production", "domain": "prod.example.com"},
    "observability": {
        "prometheus": {"retention": "30d", "retention_size": "18GB", "storage_size": "20Gi"},
        "alerting": {
            "page_receiver": "oncall",
            "record_receiver": "team",
            "receivers": [
                {
                    "name": "oncall",
                    "type": "slack",
                    "vault_path": "ops/slack",
                    "channel": "#oncall",
                },
                {
                    "name": "team",
                    "type": "email",
                    "vault_path": "ops/smtp",
                    "to": "team@example.com",
                    "sender": "alerts@example.com",
                    "smarthost": "smtp.example.com:587",
                },
            ],
        },
        "traces": {"endpoint": "https://tempo.example.com:4317"},
        "logs": {"mode": "operator"},
    },
}
SANDBOX = {
    "cluster": {"name": "sandbox", "environment": "sandbox", "domain": "sandbox.example.org"},
    "components": {"cnpg": False},
}


@pytest.fixture(scope="module")
def trees() -> dict[str, dict[str, str]]:
    return {
        name: render_platform(example_with(overrides), schemas=False).rendered
        for name, overrides in (("prod", PROD), ("sandbox", SANDBOX))
    }


@pytest.fixture(scope="module")
def union(trees: dict[str, dict[str, str]]) -> dict[str, Any]:
    merged = {**trees["prod"], **trees["sandbox"]}
    # As the repository is once production has been promoted to.
    return promoted_view({path: load(text) for path, text in merged.items()}, "production")


def test_shared_files_are_byte_identical(trees: dict[str, dict[str, str]]) -> None:
    shared = {
        p for p in trees["prod"].keys() & trees["sandbox"].keys() if p.startswith("platform/")
    }
    assert "platform/observability/stack/helmrelease.yaml" in shared
    assert {p: trees["prod"][p] for p in shared} == {p: trees["sandbox"][p] for p in shared}


def test_the_repository_breaks_no_rule(union: dict[str, Any]) -> None:
    assert tree_problems(union) == []


@pytest.mark.skipif(SCHEMAS is None, reason=NO_SCHEMAS_REASON)
def test_each_cluster_applies_schema_valid_documents(union: dict[str, Any]) -> None:
    assert SCHEMAS is not None
    assert cluster_schema_problems(union, SCHEMAS) == []


def test_each_cluster_gets_its_own_stack_routing_and_collector(union: dict[str, Any]) -> None:
    seen = {}
    for name in ("prod", "sandbox"):
        applied = applied_as(union, name)
        release = load(applied["platform/observability/stack/helmrelease.yaml"])
        spec = release["spec"]["values"]["prometheus"]["prometheusSpec"]
        (routing,) = [p for p in applied if "/routing-" in p and p.endswith("configmap.yaml")]
        (collector,) = [p for p in applied if "/collector-" in p and p.endswith("collector.yaml")]
        monitors = sorted(p for p in applied if "/monitors/" in p and p.endswith("monitor.yaml"))
        seen[name] = (spec["retention"], routing, collector, monitors)
    assert seen["prod"][0] == "30d" and seen["sandbox"][0] == "10d"
    assert seen["prod"][1] != seen["sandbox"][1]
    assert seen["prod"][2].endswith("collector-otlp-opensearch/collector.yaml")
    assert seen["sandbox"][2].endswith("collector-none/collector.yaml")
    cnpg = "platform/observability/monitors/cloudnative-pg/monitor.yaml"
    assert cnpg in seen["prod"][3] and cnpg not in seen["sandbox"][3]


def test_only_prod_has_logs_units(union: dict[str, Any]) -> None:
    names = {
        name: {unit["metadata"]["name"] for unit in flux_units(union, name)}
        for name in ("prod", "sandbox")
    }
    assert "observability-logs-cluster" in names["prod"]
    assert not {n for n in names["sandbox"] if n.startswith("observability-logs")}
