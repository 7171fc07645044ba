"""Platform constructs: one per registered component, plus the sources and cluster tree.

``from wildside_constructs.platform import Traefik, Cnpg`` imports any
registered component's construct (the registry names them, so a new component
needs no line here); each loads only when used. Build one alone with a
``ClusterContext`` and its settings class from ``wildside_constructs.settings``;
invalid settings raise ``SettingsError`` before anything renders.

Shared building blocks for a component's own module: ``operator``
(``operator_unit``: namespaces and a HelmRelease after the chart ``SOURCES``),
``values`` (per-cluster Flux substitutions), ``external_secrets`` (Secrets
from Vault); the base class is ``component.PlatformComponent``.
"""

from __future__ import annotations

from wildside_constructs.exports import lazy_exports


def _exports() -> dict[str, str]:
    from wildside_constructs.registry import COMPONENTS

    exports = {
        "PlatformComponent": "wildside_constructs.platform.component",
        "Sources": "wildside_constructs.platform.sources",
        "ClusterTree": "wildside_constructs.platform.cluster_tree",
        "operator_unit": "wildside_constructs.platform.operator",
        "external_secret": "wildside_constructs.platform.external_secrets",
    }
    for spec in COMPONENTS:
        module, _, name = spec.construct.partition(":")
        exports[name] = module
    return exports


__getattr__, __dir__ = lazy_exports(__name__, _exports)
