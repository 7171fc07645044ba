"""policy/vault_appliance.rego on vault-stack's JSON and the generated module, with regopy."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from app.modules import MODULES_DIR
from tests.validation.rego_support import combined, deny, load_policies
from tests.vault_appliance.conftest import VaultSynth

regopy = pytest.importorskip("regopy", reason="regopy (dev dependency) is not installed")


@pytest.fixture(scope="module")
def interpreter() -> Any:
    return load_policies(regopy)


def _only(stack: dict[str, Any], kind: str) -> dict[str, Any]:
    (value,) = stack["resource"][kind].values()
    return dict(value)


def test_the_stack_and_the_module_are_accepted(interpreter: Any, vault_synth: VaultSynth) -> None:
    assert deny(interpreter, vault_synth.stack()) == []
    module = json.loads((MODULES_DIR / "vault_appliance" / "main.tf.json").read_text())
    assert deny(interpreter, combined({"modules/vault_appliance/main.tf.json": module})) == []


def _mutated(vault_synth: VaultSynth, change: Any) -> dict[str, Any]:
    stack = copy.deepcopy(vault_synth.stack())
    change(stack)
    return stack


def _open_ssh(stack: dict[str, Any]) -> None:
    firewall = _only(stack, "digitalocean_firewall")
    firewall["inbound_rule"].append(
        {"port_range": "22", "protocol": "tcp", "source_addresses": ["0.0.0.0/0"]}
    )
    stack["resource"]["digitalocean_firewall"] = {"fw": firewall}


def _api_without_lb(stack: dict[str, Any]) -> None:
    firewall = _only(stack, "digitalocean_firewall")
    del firewall["inbound_rule"][0]["source_load_balancer_uids"]
    stack["resource"]["digitalocean_firewall"] = {"fw": firewall}


def _plain_http(stack: dict[str, Any]) -> None:
    lb = _only(stack, "digitalocean_loadbalancer")
    lb["forwarding_rule"][0]["target_protocol"] = "http"
    lb["redirect_http_to_https"] = False
    stack["resource"]["digitalocean_loadbalancer"] = {"lb": lb}


def _unprotected(stack: dict[str, Any]) -> None:
    volume = _only(stack, "digitalocean_volume")
    volume["lifecycle"] = {"prevent_destroy": False}
    stack["resource"]["digitalocean_volume"] = {"data": volume}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_open_ssh, ["vault-stack: vault-ssh: firewall fw opens SSH to 0.0.0.0/0"]),
        (_api_without_lb, ["vault-stack: vault-api: firewall fw opens 8200 without the load"]),
        (
            _plain_http,
            [
                "vault-stack: vault-lb-tls: load balancer lb does not redirect HTTP",
                "vault-stack: vault-lb-tls: load balancer lb forwards http",
            ],
        ),
        (_unprotected, ["vault-stack: vault-protect: digitalocean_volume.data lacks"]),
    ],
)
def test_a_weakened_appliance_is_denied(
    interpreter: Any, vault_synth: VaultSynth, change: Any, expected: list[str]
) -> None:
    denied = deny(interpreter, _mutated(vault_synth, change))
    assert len(denied) == len(expected)
    for message, prefix in zip(denied, expected, strict=True):
        assert message.startswith(prefix), message
