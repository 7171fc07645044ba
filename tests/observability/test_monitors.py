"""Each monitor selects the pod labels its component's chart sets, and only those.

The label templates and port names in ``CHART_EVIDENCE`` were read from each
chart's (or operator's) templates at the version the platform pins (the
source, tag and commit are recorded there). Here they are filled in with the
release names and namespaces the tree actually renders, so renaming a release
without updating its monitor fails.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.observability.test_component import MONITOR_UNITS
from tests.platform.datastore_helpers import applied, render
from wildside_constructs.observability.monitors import CHART_EVIDENCE, FLUX_CONTROLLERS
from wildside_constructs.settings.rabbitmq import OPERATOR_NAMESPACE

# Component key -> (its release's unit, HelmRelease file in that unit, chart).
RELEASES = {
    "traefik": ("traefik", "traefik"),
    "cert_manager": ("cert-manager", "cert-manager"),
    "external_dns": ("external-dns", "external-dns"),
    "vault_eso": ("vault", "external-secrets"),
}
PINNED = {
    "traefik": "37.4.0",
    "cert_manager": "v1.19.2",
    "external_dns": "1.19.0",
    "vault_eso": "1.1.1",
}


@pytest.fixture(scope="module")
def default() -> Any:
    return render()


def monitor(stack: Any, key: str) -> dict[str, Any]:
    document: dict[str, Any] = applied(stack, MONITOR_UNITS[key], "monitor.yaml")
    return document


@pytest.mark.parametrize("key", sorted(RELEASES))
def test_chart_monitors_select_the_labels_of_the_rendered_release(default: Any, key: str) -> None:
    unit, chart = RELEASES[key]
    release = applied(default, unit, "helmrelease.yaml")
    spec = release["spec"]["chart"]["spec"]
    # The evidence was read at the version we pin; a chart bump must re-read it.
    assert (spec["chart"], spec["version"]) == (chart, PINNED[key])
    assert PINNED[key].lstrip("v") in CHART_EVIDENCE[key]["source"]
    name, namespace = release["metadata"]["name"], release["metadata"]["namespace"]
    evidence = CHART_EVIDENCE[key]
    expected = {
        label: value.format(release=name, namespace=namespace)
        for label, value in evidence["labels"].items()
    }
    found = monitor(default, key)
    assert found["kind"] == "PodMonitor"
    assert found["spec"]["selector"] == {"matchLabels": expected}
    assert found["spec"]["namespaceSelector"] == {"matchNames": [namespace]}
    assert found["spec"]["podMetricsEndpoints"][0]["port"] == evidence["port"]


def test_traefik_instance_label_is_release_dash_namespace(default: Any) -> None:
    labels = monitor(default, "traefik")["spec"]["selector"]["matchLabels"]
    assert labels == {
        "app.kubernetes.io/name": "traefik",
        "app.kubernetes.io/instance": "traefik-traefik",
    }


def test_cloudnative_pg_monitor_selects_this_clusters_instances(default: Any) -> None:
    found = monitor(default, "cnpg")
    assert found["spec"]["selector"]["matchLabels"] == {
        "cnpg.io/cluster": "wildside-pg-main",
        "cnpg.io/podRole": "instance",
    }
    assert found["spec"]["namespaceSelector"] == {"matchNames": ["databases"]}
    assert found["spec"]["podMetricsEndpoints"][0]["port"] == "metrics"


def test_valkey_monitor_selects_the_operator_pods_and_exporter_port(default: Any) -> None:
    found = monitor(default, "valkey")
    valkey = applied(default, "valkey-cluster", "valkey.yaml")
    assert found["spec"]["selector"]["matchLabels"] == {
        "app.kubernetes.io/name": "valkey",
        "app.kubernetes.io/instance": valkey["metadata"]["name"],
        "app.kubernetes.io/component": "valkey",
    }
    assert found["spec"]["namespaceSelector"] == {"matchNames": [valkey["metadata"]["namespace"]]}
    assert found["spec"]["podMetricsEndpoints"][0]["port"] == "valkey-metrics"


def test_flux_monitor_follows_flux_monitoring_example(default: Any) -> None:
    found = monitor(default, "flux")
    assert found["spec"]["namespaceSelector"] == {"matchNames": ["flux-system"]}
    assert found["spec"]["selector"] == {
        "matchExpressions": [{"key": "app", "operator": "In", "values": list(FLUX_CONTROLLERS)}]
    }
    assert found["spec"]["podMetricsEndpoints"][0]["port"] == "http-prom"


def test_every_monitor_is_in_the_monitoring_namespace_but_the_brokers(default: Any) -> None:
    for key in MONITOR_UNITS:
        # The broker's sits beside the CA Secret its TLS check reads (next test).
        expected = "messaging" if key == "rabbitmq" else "monitoring"
        assert monitor(default, key)["metadata"]["namespace"] == expected, key


def test_rabbitmq_monitor_scrapes_the_brokers_nodes_over_verified_tls(default: Any) -> None:
    broker = applied(default, "rabbitmq-cluster", "rabbitmqcluster.yaml")
    name, namespace = broker["metadata"]["name"], broker["metadata"]["namespace"]
    # The evidence is the cluster operator's source at the tag we install.
    source = applied(default, "rabbitmq-operators", "gitrepository-rabbitmq-cluster-operator.yaml")
    assert f"{source['spec']['ref']['tag']} (" in CHART_EVIDENCE["rabbitmq"]["source"]
    found = monitor(default, "rabbitmq")
    assert found["spec"]["selector"] == {
        "matchLabels": {
            "app.kubernetes.io/name": name,
            "app.kubernetes.io/component": "rabbitmq",
        }
    }
    assert found["spec"]["namespaceSelector"] == {"matchNames": [namespace]}
    # TLS-only listeners: the plain "prometheus" port (15692) is not declared at all.
    assert broker["spec"]["tls"]["disableNonTLSListeners"] is True
    (endpoint,) = found["spec"]["podMetricsEndpoints"]
    assert (endpoint["port"], endpoint["scheme"]) == ("prometheus-tls", "https")
    tls = endpoint["tlsConfig"]
    assert "insecureSkipVerify" not in tls
    assert found["metadata"]["namespace"] == namespace
    assert tls["ca"] == {"secret": {"name": broker["spec"]["tls"]["caSecretName"], "key": "ca.crt"}}
    ca = applied(default, "rabbitmq-cluster", "certificate-ca.yaml")
    assert ca["spec"]["secretName"] == tls["ca"]["secret"]["name"]
    server = applied(default, "rabbitmq-cluster", "certificate-tls.yaml")
    assert tls["serverName"] in server["spec"]["dnsNames"]


def test_rabbitmq_cluster_operator_monitor_travels_with_the_brokers(default: Any) -> None:
    found = applied(default, MONITOR_UNITS["rabbitmq"], "monitor-rabbitmq-cluster-operator.yaml")
    evidence = CHART_EVIDENCE["rabbitmq_operator"]
    assert found["metadata"]["namespace"] == "monitoring"
    assert found["spec"]["namespaceSelector"] == {"matchNames": [OPERATOR_NAMESPACE]}
    assert found["spec"]["selector"] == {"matchLabels": evidence["labels"]}
    assert found["spec"]["podMetricsEndpoints"] == [{"port": "metrics", "path": "/metrics"}]


EXCERPTS = Path(__file__).with_name("chart_evidence")


@pytest.mark.parametrize("key", sorted(k for k in CHART_EVIDENCE if k != "cnpg"))
def test_the_evidence_is_in_the_charts_own_templates(key: str) -> None:
    """Excerpts of each chart (or operator) at the pinned tag, copied with their commit."""
    text = (EXCERPTS / f"{key}.txt").read_text(encoding="utf-8")
    evidence = CHART_EVIDENCE[key]
    (short,) = re.findall(r"\(([0-9a-f]{8})\)", evidence["source"])
    assert f"(commit {short}" in text, "the excerpt is from another commit than the evidence"
    for label in evidence["labels"]:
        assert label in text, f"{key}: the chart does not set {label}"
    port = evidence["port"]
    named = (f"name: {port}", f'Name:          "{port}"', f"  {port}:\n")
    assert any(form in text for form in named), f"{key}: no container port named {port}"
