"""vault-stack's synthesized JSON: what reaches DigitalOcean, and what never does."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.vault_appliance.conftest import SENTINELS, VaultSynth, synth_vault, vault_config
from wildside_constructs.cluster.errors import DestroyProtectionError
from wildside_constructs.vault_appliance.errors import VaultApplianceError


def _rules(firewall: dict[str, object]) -> dict[str, dict[str, object]]:
    rules = firewall["inbound_rule"]
    assert isinstance(rules, list)
    return {str(rule["port_range"]): rule for rule in rules}


def test_its_own_state_key_in_the_clusters_backend(vault_synth: VaultSynth) -> None:
    backend = vault_synth.stack()["terraform"]["backend"]["s3"]
    cluster = vault_synth.stack("cluster-stack")["terraform"]["backend"]["s3"]
    assert backend["key"] == "clusters/vault-appliance/vault/vault-stack.tfstate"
    assert cluster["key"] == "clusters/dev/cluster-stack.tfstate"
    same = ("bucket", "endpoints", "use_lockfile", "skip_credentials_validation")
    assert {k: backend.get(k) for k in same} == {k: cluster.get(k) for k in same}


def test_nodes_each_with_a_protected_volume(vault_synth: VaultSynth) -> None:
    droplet = vault_synth.only("digitalocean_droplet")
    volume = vault_synth.only("digitalocean_volume")
    (volume_id,) = vault_synth.stack()["resource"]["digitalocean_volume"]
    assert droplet["count"] == volume["count"] == 3
    assert droplet["volume_ids"] == [f"${{digitalocean_volume.{volume_id}[count.index].id}}"]
    assert volume["name"] == "vault-data-${count.index + 1}"
    assert (volume["size"], volume["region"], volume["initial_filesystem_type"]) == (
        20,
        "ams3",
        "ext4",
    )
    for kind in ("digitalocean_droplet", "digitalocean_volume", "digitalocean_loadbalancer"):
        assert vault_synth.only(kind)["lifecycle"] == {"prevent_destroy": True}


def test_firewall_opens_only_what_each_port_needs(vault_synth: VaultSynth) -> None:
    firewall = vault_synth.only("digitalocean_firewall")
    (lb_id,) = vault_synth.stack()["resource"]["digitalocean_loadbalancer"]
    (tag_id,) = vault_synth.stack()["resource"]["digitalocean_tag"]
    rules = _rules(firewall)
    assert set(rules) == {"8200", "8201"}  # no SSH rule at all
    api = rules["8200"]
    assert api["source_load_balancer_uids"] == [f"${{digitalocean_loadbalancer.{lb_id}.id}}"]
    assert api["source_addresses"] == ["203.0.113.0/24"]
    assert rules["8201"] == {
        "port_range": "8201",
        "protocol": "tcp",
        "source_tags": [f"${{digitalocean_tag.{tag_id}.name}}"],
    }
    assert firewall["tags"] == [f"${{digitalocean_tag.{tag_id}.name}}"]


def test_ssh_only_when_ranges_are_given() -> None:
    stack = synth_vault(vault_config(ssh_source_ranges=["198.51.100.7/32"], ssh_keys=["12345"]))
    (firewall,) = stack["resource"]["digitalocean_firewall"].values()
    assert _rules(firewall)["22"]["source_addresses"] == ["198.51.100.7/32"]


def test_load_balancer_terminates_tls_and_checks_vault_health(vault_synth: VaultSynth) -> None:
    lb = vault_synth.only("digitalocean_loadbalancer")
    certificate = vault_synth.only("digitalocean_certificate")
    assert certificate["type"] == "lets_encrypt"
    assert certificate["domains"] == ["secrets.example.com"]
    (rule,) = lb["forwarding_rule"]
    assert (rule["entry_protocol"], rule["entry_port"]) == ("https", 443)
    assert (rule["target_protocol"], rule["target_port"]) == ("https", 8200)
    assert lb["redirect_http_to_https"] is True
    assert lb["healthcheck"]["path"].startswith("/v1/sys/health?")
    assert (lb["healthcheck"]["protocol"], lb["healthcheck"]["port"]) == ("https", 8200)
    record = vault_synth.only("digitalocean_record")
    (lb_id,) = vault_synth.stack()["resource"]["digitalocean_loadbalancer"]
    assert (record["domain"], record["name"], record["type"]) == ("example.com", "secrets", "A")
    assert record["value"] == f"${{digitalocean_loadbalancer.{lb_id}.ip}}"


def test_outputs(vault_synth: VaultSynth) -> None:
    outputs = vault_synth.stack()["output"]
    assert outputs["endpoint"]["value"] == "https://secrets.example.com"
    assert outputs["ca_certificate"]["value"].startswith("-----BEGIN CERTIFICATE-----")
    assert set(outputs) >= {"droplet_ids", "volume_ids", "load_balancer_id", "node_private_ips"}


def test_no_secret_in_the_json(vault_synth: VaultSynth) -> None:
    text = json.dumps(vault_synth.stack())
    for value in SENTINELS.values():
        for part in value.splitlines():
            assert part not in text
    assert "PRIVATE KEY" not in text  # the TLS key is made on the node
    provider = vault_synth.stack()["provider"]["digitalocean"]
    assert provider == [{}]  # the token comes from DIGITALOCEAN_TOKEN at run time
    user_data = vault_synth.only("digitalocean_droplet")["user_data"]
    # Credentials are only ever read at run time on the node ($VARIABLE or stdin "-").
    literal = r"(secret_id|role_id|access_key|secret|token)\s*=\s*(?![\"']?\$|-\)|-$)\S"
    assert not re.search(literal, user_data, re.I)


def test_default_synth_has_no_vault_stack() -> None:
    from app.config.load import load_config
    from app.stack_settings import vault_stack_settings

    assert vault_stack_settings(load_config({}), {}) is None


def test_destroy_protection_lifts_only_with_consent() -> None:
    stack = synth_vault(vault_config(allow_destroy=True))
    for kind in ("digitalocean_droplet", "digitalocean_volume", "digitalocean_loadbalancer"):
        (resource,) = stack["resource"][kind].values()
        assert resource["lifecycle"] == {"prevent_destroy": False}


def test_the_aspect_refuses_an_unprotected_volume(tmp_path: Path) -> None:
    from cdktf import App

    from app.stack_settings import vault_stack_settings
    from stacks.vault_stack import VaultStack

    settings = vault_stack_settings(
        vault_config(), {"TF_VAR_state_passphrase": SENTINELS["TF_VAR_state_passphrase"]}
    )
    assert settings is not None
    stack = VaultStack(App(outdir=str(tmp_path)), "vault-stack", settings=settings)
    stack.appliance.nodes.volumes.add_override("lifecycle.prevent_destroy", False)
    with pytest.raises(DestroyProtectionError, match=r"digitalocean_volume\..*allow_destroy"):
        stack.preflight()


def test_the_construct_refuses_a_world_open_api(tmp_path: Path) -> None:
    from cdktf import App

    from stacks.vault_stack import VaultStack, VaultStackSettings
    from wildside_constructs.vault_appliance import VaultConstructSettings

    settings = vault_config().vault_appliance
    assert settings is not None
    from dataclasses import replace

    bad = replace(settings, api_source_ranges=("0.0.0.0/0",), ssh_source_ranges=("::/0",))
    settings = VaultStackSettings(appliance=VaultConstructSettings.from_settings(bad))
    with pytest.raises(VaultApplianceError) as raised:
        VaultStack(App(outdir=str(tmp_path)), "vault-stack", settings=settings)
    message = str(raised.value)
    assert "vault_appliance.api_source_ranges" in message and "allow_public_api" in message
    assert "vault_appliance.ssh_source_ranges" in message
