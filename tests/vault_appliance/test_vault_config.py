"""``[vault_appliance]``: loaded with the rest of the configuration, every problem
named with its field and fix, exit code 2 through the CLI."""

from __future__ import annotations

from typing import Any

import pytest

from app.config.errors import ConfigError
from tests.vault_appliance.conftest import APPLIANCE, vault_config


def _problems(**changes: Any) -> str:
    with pytest.raises(ConfigError) as raised:
        vault_config(**changes)
    return str(raised.value)


def test_a_full_table_loads_with_documented_defaults() -> None:
    appliance = vault_config().vault_appliance
    assert appliance is not None
    assert (appliance.size, appliance.vault_version, appliance.volume_size_gb) == (
        "s-2vcpu-4gb",
        "1.17.6",
        20,
    )
    assert appliance.address == "https://secrets.example.com"
    assert (appliance.bootstrap.key_shares, appliance.bootstrap.key_threshold) == (5, 3)
    assert appliance.bootstrap.kv_mount == "secret"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"api_source_ranges": ["0.0.0.0/0"]}, "api_source_ranges: 0.0.0.0/0 opens Vault's API"),
        ({"api_source_ranges": ["::/0"]}, "set allow_public_api = true to consent"),
        ({"ssh_source_ranges": ["0.0.0.0/0"], "ssh_keys": ["k"]}, "SSH is never open"),
        ({"ssh_source_ranges": ["10.0.0.0/8"]}, "ssh_keys: SSH is open but no key"),
        ({"api_source_ranges": ["10.0.0.1/8"]}, "api_source_ranges[0]: '10.0.0.1/8' is not"),
        ({"nodes": 0}, "nodes: must be 1 to 5"),
        ({"vault_deb_sha256": ""}, "vault_deb_sha256: '' is not the SHA-256"),
        ({"domain": "Example"}, "domain: 'Example' is not a DNS zone"),
        ({"snapshot": {"bucket": ""}}, "snapshot.bucket: '' is not a bucket name"),
        ({"bootstrap": {"recipients": []}}, "bootstrap.recipients: no operator key"),
        (
            {
                "bootstrap": {
                    "recipients": APPLIANCE["bootstrap"]["recipients"],
                    "key_shares": 3,
                    "key_threshold": 4,
                }
            },
            "bootstrap.key_threshold: must be at least 1 and no more than key_shares (3)",
        ),
        ({"nodes": "three"}, "vault_appliance.nodes: expected an integer"),
        ({"colour": "blue"}, "vault_appliance.colour"),
    ],
)
def test_problems_name_the_field_and_the_fix(changes: dict[str, Any], expected: str) -> None:
    assert expected in _problems(**changes)


def test_consent_lets_the_api_face_the_internet() -> None:
    appliance = vault_config(api_source_ranges=["0.0.0.0/0"], allow_public_api=True).vault_appliance
    assert appliance is not None and appliance.api_source_ranges == ("0.0.0.0/0",)


def test_snapshots_can_be_switched_off_explicitly() -> None:
    appliance = vault_config(snapshot={"enabled": False}).vault_appliance
    assert appliance is not None and not appliance.snapshot.enabled


def test_recipients_come_from_the_environment_when_given() -> None:
    from tests.support import example_with
    from tests.vault_appliance.conftest import STATE

    other = "age1" + "z" * 58
    env = {"WILDSIDE_VAULT_RECIPIENTS": f"{APPLIANCE['bootstrap']['recipients'][0]}, {other}"}
    config = example_with(
        {"state": STATE, "flux": {"bootstrap": False}, "vault_appliance": APPLIANCE}, env=env
    )
    assert config.vault_appliance is not None
    assert config.vault_appliance.bootstrap.recipients[1] == other
    # Without a [vault_appliance] table the variable changes nothing.
    assert example_with({}, env=env).vault_appliance is None
