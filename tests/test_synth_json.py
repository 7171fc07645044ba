"""Synthesised JSON: the properties users rely on in the first slice."""

from __future__ import annotations

import json

from tests.conftest import EndToEnd


def test_cluster_stack_has_provider_and_protected_cluster(e2e: EndToEnd) -> None:
    stack = e2e.stack_json("cluster-stack")
    assert "digitalocean" in stack["provider"]
    # The token comes from DIGITALOCEAN_TOKEN at apply time, never from the JSON.
    assert all("token" not in block for block in stack["provider"]["digitalocean"])
    clusters = stack["resource"]["digitalocean_kubernetes_cluster"]
    (cluster,) = clusters.values()
    assert cluster["name"] == "dev"
    assert cluster["region"] == "nyc1"
    assert cluster["lifecycle"]["prevent_destroy"] is True
    assert cluster["node_pool"]["name"] == "default"
    assert cluster["node_pool"]["size"] == "s-2vcpu-4gb"
    assert cluster["node_pool"]["node_count"] == 3
    # A minor version resolves to its newest patch through the versions data source.
    assert "digitalocean_kubernetes_versions" in cluster["version"]
    (versions,) = stack["data"]["digitalocean_kubernetes_versions"].values()
    assert versions["version_prefix"] == "1.33."


def test_platform_stack_declares_no_provider_and_has_outputs(e2e: EndToEnd) -> None:
    stack = e2e.stack_json("platform-stack")
    assert "provider" not in stack
    assert "resource" not in stack
    outputs = stack["output"]
    assert {"rendered_manifests", "enabled_components", "manifest_count"} <= set(outputs)
    rendered = outputs["rendered_manifests"]["value"]
    assert outputs["manifest_count"]["value"] == len(rendered)
    assert outputs["enabled_components"]["value"][0] == "traefik"


def test_flux_placeholders_are_escaped_for_the_engine(e2e: EndToEnd) -> None:
    text = json.dumps(e2e.stack_json("platform-stack"))
    # Every ${ in an output must be $${, or the engine would interpolate it.
    assert "$${traefik_replicas}" in text
    assert text.count("${") == text.count("$${")


def test_secrets_never_enter_synth_output(e2e: EndToEnd) -> None:
    for stack in ("cluster-stack", "platform-stack"):
        text = json.dumps(e2e.stack_json(stack))
        assert "DIGITALOCEAN_TOKEN" not in text
        assert "stringData" not in text
