"""Settings dataclasses: the input of each construct, pure Python, importable without jsii.

Each component's ``[<key>]`` table in the configuration file is read into its
settings class here, so configuration errors surface before CDKTF loads. Every
field has a documented default; ``problems(where)`` and ``requires()`` are what
both the loader and the construct check.

What to import: any registered component's settings class by name
(``TraefikSettings``, ``CnpgSettings``, …: the registry names them), the shared
``Resources`` and ``SmallResources``, ``StateSettings`` (the ``[state]`` table)
and the typed contracts ``DatabaseContract``, ``ValkeyContract`` and
``VaultContract``.
"""

from __future__ import annotations

from wildside_constructs.exports import lazy_exports


def _exports() -> dict[str, str]:
    from wildside_constructs.registry import COMPONENTS

    exports = {
        "Resources": "wildside_constructs.settings.common",
        "SmallResources": "wildside_constructs.settings.common",
        "StateSettings": "wildside_constructs.settings.state",
        "DatabaseContract": "wildside_constructs.settings.cnpg",
        "ValkeyContract": "wildside_constructs.settings.valkey",
        "VaultContract": "wildside_constructs.settings.vault",
    }
    exports.update({spec.settings.__name__: spec.settings.__module__ for spec in COMPONENTS})
    return exports


__getattr__, __dir__ = lazy_exports(__name__, _exports)
