"""Platform constructs: one per component, plus the sources and cluster tree.

Constructs are looked up by component key and imported lazily so that a run
pays only for the components it renders.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wildside_constructs.platform.component import PlatformComponent

# Component key -> "module:Class" of its construct.
CONSTRUCTS: dict[str, str] = {
    "traefik": "wildside_constructs.platform.traefik:Traefik",
    "cert_manager": "wildside_constructs.platform.cert_manager:CertManager",
    "external_dns": "wildside_constructs.platform.external_dns:ExternalDns",
    "vault_eso": "wildside_constructs.platform.vault_eso:VaultEso",
    "cnpg": "wildside_constructs.platform.cnpg:Cnpg",
    "valkey": "wildside_constructs.platform.valkey:Valkey",
}


def construct_class(key: str) -> type[PlatformComponent]:
    module, _, name = CONSTRUCTS[key].partition(":")
    cls: type[PlatformComponent] = getattr(importlib.import_module(module), name)
    return cls
