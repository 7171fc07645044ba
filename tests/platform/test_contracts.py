"""Every component publishes its contract as a typed attribute, and the same values as output.

A library user reads ``stack.components["traefik"].traefik_contract.namespace``
(a frozen dataclass, importable from ``wildside_constructs.settings``); the
``<key>_contract`` Terraform output carries the same fields and values.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
from typing import Any

import pytest

from tests.support import example_with, render_platform, synth_json
from wildside_constructs.registry import COMPONENTS

AGE_KEY = "age1872xyafd3ejyku9en0375fq2a432pyqmm6pz6e4e640z248zeu3sr99kn9"
# Component key -> (typed attribute, its class's name in wildside_constructs.settings).
# apps still publishes a plain dict (platform/apps.py).
TYPED = {
    "traefik": ("traefik_contract", "TraefikContract"),
    "cert_manager": ("cert_manager_contract", "CertManagerContract"),
    "external_dns": ("external_dns_contract", "ExternalDnsContract"),
    "vault_eso": ("vault", "VaultContract"),
    "cnpg": ("database_contract", "DatabaseContract"),
    "valkey": ("valkey_contract", "ValkeyContract"),
    "rabbitmq": ("rabbitmq_contract", "RabbitmqContract"),
    "sops": ("sops_contract", "SopsContract"),
    "observability": ("observability_contract", "ObservabilityContract"),
}


@pytest.fixture(scope="module")
def rendered() -> tuple[Any, dict[str, Any]]:
    config = example_with({"components": {"sops": True}, "sops": {"age_recipients": [AGE_KEY]}})
    stack = render_platform(config, schemas=False)
    return stack, synth_json(stack)["output"]


def _plain(value: Any) -> Any:
    """A typed value as JSON reads it back (tuples are lists, dataclasses objects)."""
    return json.loads(json.dumps(value, default=dataclasses.asdict))


def test_every_component_but_apps_has_a_typed_contract() -> None:
    assert set(TYPED) == {spec.key for spec in COMPONENTS} - {"apps"}


@pytest.mark.parametrize("key", list(TYPED))
def test_the_typed_contract_is_what_the_output_publishes(
    key: str, rendered: tuple[Any, dict[str, Any]]
) -> None:
    stack, outputs = rendered
    attribute, class_name = TYPED[key]
    contract = getattr(stack.components[key], attribute)
    settings = importlib.import_module("wildside_constructs.settings")
    assert type(contract) is getattr(settings, class_name)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(contract, dataclasses.fields(contract)[0].name, "changed")
    published = outputs[f"{key}_contract"]["value"]
    for field in dataclasses.fields(contract):
        assert published[field.name] == _plain(getattr(contract, field.name)), field.name


def test_typed_contracts_carry_each_cluster_s_values(rendered: tuple[Any, dict[str, Any]]) -> None:
    stack, _outputs = rendered
    components = stack.components
    assert components["traefik"].traefik_contract.ingress_class_name == "traefik"
    cert_manager = components["cert_manager"].cert_manager_contract
    # The example cluster is a sandbox, whose certificates come from ACME staging.
    assert cert_manager.default_issuer == cert_manager.staging_issuer == "letsencrypt-staging"
    assert cert_manager.issuer_refs["production"].name == "letsencrypt-production"
    assert cert_manager.issuer_refs["production"].kind == "ClusterIssuer"
    dns = components["external_dns"].external_dns_contract
    assert (dns.dns_zone, dns.txt_owner_id, dns.domain_filters) == (
        "dev.example.com",
        "dev",
        ("dev.example.com",),
    )
    sops = components["sops"].sops_contract
    assert sops.secrets_folder == "platform/secrets/clusters/dev"
    assert (sops.age_key_secret, sops.age_recipients) == ("flux-system/sops-age", (AGE_KEY,))
    observability = components["observability"].observability_contract
    assert {"flux", "traefik", "cnpg", "rabbitmq"} <= set(observability.monitored_components)
    assert observability.grafana_external_url == "https://grafana.dev.example.com"
    assert observability.logs.mode == "off"
    assert observability.logs.retention_days == 0


def test_observability_reads_cert_manager_through_its_typed_contract(
    rendered: tuple[Any, dict[str, Any]],
) -> None:
    stack, _outputs = rendered
    issuers_unit = stack.components["cert_manager"].cert_manager_contract.issuers_unit
    stack_unit = next(
        u for u in stack.components["observability"].units if u.name == "observability"
    )
    assert issuers_unit in stack_unit.depends_on
