"""Settings dataclasses: the input of each construct, pure Python, importable without jsii.

Each component's ``[<key>]`` table in the configuration file is read into its
settings class here, so configuration errors surface before CDKTF loads. Every
field has a documented default; ``problems(where)`` and ``requires()`` are what
both the loader and the construct check.

What to import: any registered component's settings class by name
(``TraefikSettings``, ``CnpgSettings``, …: the registry names them), the shared
``Resources`` and ``SmallResources``, ``StateSettings`` (the ``[state]`` table)
and the typed contracts each construct publishes as an attribute (and, through
``dataclasses.asdict``, as its ``<key>_contract`` output; every
``<Name>Contract`` a settings module defines is exported): ``TraefikContract``,
``CertManagerContract`` (with ``IssuerRef``), ``ExternalDnsContract``,
``VaultContract``, ``DatabaseContract`` (with ``Endpoint``), ``ValkeyContract``,
``RabbitmqContract``, ``SopsContract`` and ``ObservabilityContract`` (with
``LogsContract``).
"""

from __future__ import annotations

import sys

from wildside_constructs.exports import lazy_exports


def _exports() -> dict[str, str]:
    from wildside_constructs.registry import COMPONENTS

    exports = {
        "Resources": "wildside_constructs.settings.common",
        "SmallResources": "wildside_constructs.settings.common",
        "StateSettings": "wildside_constructs.settings.state",
        "IssuerRef": "wildside_constructs.settings.cert_manager",
        "Endpoint": "wildside_constructs.settings.cnpg",
    }
    for spec in COMPONENTS:
        module = sys.modules[spec.settings.__module__]
        exports[spec.settings.__name__] = module.__name__
        # Every ``<Name>Contract`` a settings module defines (a component's
        # typed contract and its parts), so a new component needs no line here.
        for name, value in vars(module).items():
            if name.endswith("Contract") and getattr(value, "__module__", "") == module.__name__:
                exports[name] = module.__name__
    return exports


__getattr__, __dir__ = lazy_exports(__name__, _exports)
