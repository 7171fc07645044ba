"""The shared Vault on DigitalOcean (``vault-stack``, ``infra-modules/vault_appliance``).

``VaultAppliance`` composes ``VaultNodes`` (Droplets + volumes, first-boot
script from ``cloud_init``), ``VaultFirewall``, ``VaultLoadBalancer`` and
``VaultDnsRecord``; ``VaultApplianceSettings`` is the ``[vault_appliance]`` table.

The constructs load the DigitalOcean bindings (seconds), so they are imported
on first use: reading the configuration only needs the settings.
"""

from __future__ import annotations

import importlib
from typing import Any

from wildside_constructs.vault_appliance.settings import (
    BootstrapSettings,
    SnapshotSettings,
    VaultApplianceSettings,
)

_LAZY = {
    "PROTECTED_TYPES": "appliance",
    "VaultAppliance": "appliance",
    "VaultApplianceError": "errors",
    "VaultConstructSettings": "construct_settings",
    "VaultDnsRecord": "dns",
    "VaultFirewall": "firewall",
    "VaultLoadBalancer": "load_balancer",
    "VaultNodes": "nodes",
}

__all__ = [
    "PROTECTED_TYPES",
    "BootstrapSettings",
    "SnapshotSettings",
    "VaultAppliance",
    "VaultApplianceError",
    "VaultApplianceSettings",
    "VaultConstructSettings",
    "VaultDnsRecord",
    "VaultFirewall",
    "VaultLoadBalancer",
    "VaultNodes",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = importlib.import_module(f"{__name__}.{_LAZY[name]}")
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
