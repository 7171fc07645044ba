"""Every namespace the platform creates denies ingress by default and allows exactly its table."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest

from app.config.errors import ConfigError
from tests.support import (
    SCHEMAS,
    all_units,
    config,
    example_with,
    render_platform,
    scratch_app,
)
from wildside_constructs.platform.network import ALLOWS, MONITORING_NAMESPACE
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


def test_every_created_namespace_denies_ingress_by_default_in_the_same_unit() -> None:
    stack = render_platform(config())
    policies = _policies(stack)
    units = all_units(stack)
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
        }
    )
    policies = _policies(render_platform(cfg))  # schemas checked after substitution

    def values(namespace: str) -> list[str]:
        (rule,) = policies[(namespace, "allow-clients")]["spec"]["ingress"]
        expression = rule["from"][0]["namespaceSelector"]["matchExpressions"][0]
        return list(expression["values"])

    assert values("databases") == ["databases", "shop"]
    assert values("valkey") == ["valkey", "shop", "jobs"]


def test_an_allow_list_naming_an_unknown_namespace_is_refused() -> None:
    cfg = example_with({"cnpg": {"client_namespaces": ["traefik", "shopp"]}})
    with pytest.raises(RenderError) as caught:
        render_platform(cfg)
    message = str(caught.value)
    assert "cnpg.client_namespaces[1]" in message and "'shopp'" in message
    assert "cluster.app_namespaces" in message
    assert "client_namespaces[0]" not in message  # a platform namespace is known


def test_a_malformed_namespace_name_is_a_configuration_problem() -> None:
    with pytest.raises(ConfigError) as caught:
        example_with({"valkey": {"client_namespaces": ["Shop_1"]}})
    assert "valkey.client_namespaces[0]" in str(caught.value)


def test_metrics_are_open_to_the_monitoring_namespace_once_observability_is_on() -> None:
    from app.stack_settings import cluster_context, platform_settings
    from stacks.platform_stack import PlatformStack, PlatformStackSettings

    cfg = config()
    context = cluster_context(cfg)
    context = dataclasses.replace(context, enabled=(*context.enabled, "observability"))
    settings = PlatformStackSettings(
        context=context, components=platform_settings(cfg), schemas=SCHEMAS
    )
    policies = _policies(PlatformStack(scratch_app(), "platform-stack", settings=settings))
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
