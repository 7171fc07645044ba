"""Every namespace the platform creates denies ingress by default and allows exactly its table."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from app.config.errors import ConfigError
from tests.platform.test_rabbitmq_upstream import upstream
from tests.support import all_units, config, example_with, render_platform
from wildside_constructs.platform.network import ALLOWS, MONITORING_NAMESPACE
from wildside_constructs.settings.apps import PREVIEW_LABEL
from wildside_constructs.settings.rabbitmq import OPERATOR_NAMESPACE
from wildside_constructs.validation.errors import RenderError
from wildside_constructs.validation.tree import substitute
from wildside_constructs.yamlout import load

DOC = Path(__file__).resolve().parents[2] / "docs" / "network-policies.md"


def _policies(stack: Any) -> dict[tuple[str, str], dict[str, Any]]:
    """(namespace, policy name) -> policy as the cluster sees it (substituted)."""
    variables = {unit.folder: unit.variables for unit in all_units(stack)}
    found = {}
    for path, text in stack.rendered.items():
        document = load(text)
        if document.get("kind") == "NetworkPolicy":
            seen = load(substitute(text, variables.get(path.rsplit("/", 1)[0], {})))
            found[(seen["metadata"]["namespace"], seen["metadata"]["name"])] = seen
    return found


@pytest.fixture(scope="module")
def default_stack() -> Any:
    """The embedded example's platform (every component on), rendered once for the module."""
    return render_platform(config())


@pytest.fixture(scope="module")
def default_policies(default_stack: Any) -> dict[tuple[str, str], dict[str, Any]]:
    return _policies(default_stack)


def test_every_created_namespace_denies_ingress_by_default_in_the_same_unit(
    default_stack: Any, default_policies: dict[tuple[str, str], dict[str, Any]]
) -> None:
    policies = default_policies
    units = all_units(default_stack)
    namespaces = {
        doc["metadata"]["name"]: unit
        for unit in units
        for doc in unit.documents.values()
        if doc["kind"] == "Namespace"
    }
    assert {"traefik", "cert-manager", "databases", "valkey", "external-secrets"} <= set(namespaces)
    for namespace, unit in namespaces.items():
        deny = policies[(namespace, "default-deny-ingress")]
        assert deny["spec"] == {"podSelector": {}, "policyTypes": ["Ingress"]}
        # Applied by the unit that creates the namespace, so never a moment without it.
        names = {
            d["metadata"]["name"] for d in unit.documents.values() if d["kind"] == "NetworkPolicy"
        }
        assert "default-deny-ingress" in names and "allow-same-namespace" in names
    assert {ns for ns, _name in policies} == set(namespaces)


def test_the_allows_are_exactly_the_table() -> None:
    policies = _policies(render_platform(config({"WILDSIDE_ENABLE_OBSERVABILITY": "false"})))
    allows = {
        (ns, n) for ns, n in policies if n not in ("default-deny-ingress", "allow-same-namespace")
    }
    assert allows == {(ns, f"allow-{a.name}") for ns, rules in ALLOWS.items() for a in rules}
    (rule,) = policies[("traefik", "allow-clients")]["spec"]["ingress"]
    assert "from" not in rule  # from anywhere, on the listed ports only
    assert {p["port"] for p in rule["ports"]} == {8000, 8443}
    (operator,) = policies[("databases", "allow-operator")]["spec"]["ingress"]
    selector = operator["from"][0]["namespaceSelector"]["matchExpressions"][0]
    assert selector["values"] == ["cnpg-system"]
    # Without observability, nothing is open to scraping.
    assert not [key for key in policies if key[1] == "allow-metrics"]


def test_client_allow_lists_reach_the_policies_after_substitution() -> None:
    cfg = example_with(
        {
            "cluster": {"app_namespaces": ["shop", "jobs"]},
            "cnpg": {"client_namespaces": ["shop"]},
            "valkey": {"client_namespaces": ["shop", "jobs"]},
            "rabbitmq": {"client_namespaces": ["jobs"]},
        }
    )
    policies = _policies(render_platform(cfg))  # schemas checked after substitution

    def values(namespace: str) -> list[str]:
        (rule,) = policies[(namespace, "allow-clients")]["spec"]["ingress"]
        expression = rule["from"][0]["namespaceSelector"]["matchExpressions"][0]
        return list(expression["values"])

    assert values("databases") == ["databases", "shop"]
    assert values("valkey") == ["valkey", "shop", "jobs"]
    assert values("messaging") == ["messaging", "jobs"]
    (rule,) = policies[("messaging", "allow-clients")]["spec"]["ingress"]
    assert rule["ports"] == [{"protocol": "TCP", "port": 5671}]  # AMQPS; plain 5672 is off


def test_the_topology_operator_reaches_the_management_api_and_nothing_else(
    default_policies: dict[tuple[str, str], dict[str, Any]],
) -> None:
    policies = default_policies
    (rule,) = policies[("messaging", "allow-operator")]["spec"]["ingress"]
    selector = rule["from"][0]["namespaceSelector"]["matchExpressions"][0]
    assert selector["values"] == [OPERATOR_NAMESPACE]
    assert rule["ports"] == [{"protocol": "TCP", "port": 15671}]
    # Upstream's installations put both operators there (at the pinned tags).
    for evidence in ("rabbitmq_cluster_operator", "rabbitmq_topology_operator"):
        installation = upstream(evidence).kustomization("config/installation")
        assert installation["namespace"] == OPERATOR_NAMESPACE, evidence
    # Without client namespaces, only the broker's own namespace speaks AMQPS.
    (clients,) = policies[("messaging", "allow-clients")]["spec"]["ingress"]
    expression = clients["from"][0]["namespaceSelector"]["matchExpressions"][0]
    assert expression["values"] == ["messaging"]


def test_an_allow_list_naming_an_unknown_namespace_is_refused() -> None:
    cfg = example_with({"cnpg": {"client_namespaces": ["traefik", "shopp"]}})
    with pytest.raises(RenderError) as caught:
        render_platform(cfg)
    message = str(caught.value)
    assert "cnpg.client_namespaces[1]" in message and "'shopp'" in message
    assert "cluster.app_namespaces" in message
    assert "client_namespaces[0]" not in message  # a platform namespace is known


def test_a_rabbitmq_allow_list_naming_an_unknown_namespace_is_refused() -> None:
    cfg = example_with(
        {
            "cluster": {"app_namespaces": ["shop"]},
            "rabbitmq": {"client_namespaces": ["shop", "jbos"]},
        }
    )
    with pytest.raises(RenderError) as caught:
        render_platform(cfg)
    message = str(caught.value)
    assert "rabbitmq.client_namespaces[1]" in message and "'jbos'" in message
    assert "cluster.app_namespaces" in message
    assert "client_namespaces[0]" not in message  # declared in cluster.app_namespaces


@pytest.mark.parametrize("key", ["valkey", "rabbitmq"])
def test_a_malformed_namespace_name_is_a_configuration_problem(key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        example_with({key: {"client_namespaces": ["Shop_1"]}})
    assert f"{key}.client_namespaces[0]" in str(caught.value)
    assert "DNS label" in str(caught.value)
    with pytest.raises(ConfigError) as caught:
        example_with({key: {"client_namespaces": ["shop", "shop"]}})
    assert "names a namespace twice" in str(caught.value)


def test_metrics_are_open_to_the_monitoring_namespace_once_observability_is_on(
    default_stack: Any, default_policies: dict[tuple[str, str], dict[str, Any]]
) -> None:
    assert "observability" in default_stack.enabled
    policies = default_policies
    (rule,) = policies[("traefik", "allow-metrics")]["spec"]["ingress"]
    selector = rule["from"][0]["namespaceSelector"]["matchExpressions"][0]
    assert selector["values"] == [MONITORING_NAMESPACE]
    assert [p["port"] for p in rule["ports"]] == [9100]
    # RabbitMQ's nodes: their TLS metrics port (prometheus-tls), which the broker monitor scrapes.
    (rule,) = policies[("messaging", "allow-metrics")]["spec"]["ingress"]
    selector = rule["from"][0]["namespaceSelector"]["matchExpressions"][0]
    assert selector["values"] == [MONITORING_NAMESPACE]
    assert [p["port"] for p in rule["ports"]] == [15691]


def test_the_documented_table_matches_the_policies() -> None:
    rows = re.findall(
        r"^\| `([a-z-]+)` \| `allow-([a-z-]+)` \| ([0-9, ]+) \|", DOC.read_text(), re.M
    )
    documented = {(ns, name, tuple(int(p) for p in ports.split(", "))) for ns, name, ports in rows}
    assert documented == {
        (ns, allow.name, allow.ports) for ns, rules in ALLOWS.items() for allow in rules
    }


def test_a_previews_namespace_reaches_postgresql_and_nothing_else_is_opened_to_it() -> None:
    """The selector in the databases policy matches what `wildside app deploy` renders."""
    from wildside_ops.apps.context import AppContext
    from wildside_ops.apps.preview_docs import preview_documents

    cfg = config()
    docs = preview_documents(AppContext.from_config(cfg), 7)
    (namespace,) = [d for d in docs if d["kind"] == "Namespace"]
    labels = namespace["metadata"]["labels"]
    policies = _policies(render_platform(cfg, schemas=False))
    (rule,) = policies[("databases", "allow-previews")]["spec"]["ingress"]
    (source,) = rule["from"]
    (wanted,) = source["namespaceSelector"]["matchExpressions"]
    assert wanted == {"key": PREVIEW_LABEL, "operator": "Exists"}
    assert PREVIEW_LABEL in labels
    assert [p["port"] for p in rule["ports"]] == [5432]
    # Only databases admits previews: no other namespace's policy names the label.
    admitting = {key for key, policy in policies.items() if PREVIEW_LABEL in str(policy)}
    assert admitting == {("databases", "allow-previews")}
