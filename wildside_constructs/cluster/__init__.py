"""Constructs for the DigitalOcean Kubernetes cluster (applied by cluster-stack).

What to import (each loads the provider bindings only when used):
``DoksCluster`` with ``DoksClusterSettings`` and ``NodePoolSettings``,
``DoksVpc`` with ``DoksVpcSettings``, ``FluxBootstrap`` with
``FluxBootstrapSettings`` (its Kubernetes bindings are the slowest to load),
and ``protect`` (the destroy-protection Aspect).

Each checks its settings when built and raises ``SettingsError`` naming the
field and the fix, before anything is added to the stack; the rules (and their
words) are the configuration loader's, in ``wildside_constructs.cluster.rules``
(no CDKTF imports). ``Ref`` values (a module's variables) are left to their
variables' validation at plan time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wildside_constructs.exports import lazy_exports

if TYPE_CHECKING:
    from wildside_constructs.cluster.doks import DoksCluster, DoksClusterSettings, NodePoolSettings
    from wildside_constructs.cluster.flux_bootstrap import FluxBootstrap, FluxBootstrapSettings
    from wildside_constructs.cluster.protection import protect
    from wildside_constructs.cluster.vpc import DoksVpc, DoksVpcSettings

_EXPORTS = {
    "DoksCluster": "wildside_constructs.cluster.doks",
    "DoksClusterSettings": "wildside_constructs.cluster.doks",
    "NodePoolSettings": "wildside_constructs.cluster.doks",
    "DoksVpc": "wildside_constructs.cluster.vpc",
    "DoksVpcSettings": "wildside_constructs.cluster.vpc",
    "FluxBootstrap": "wildside_constructs.cluster.flux_bootstrap",
    "FluxBootstrapSettings": "wildside_constructs.cluster.flux_bootstrap",
    "protect": "wildside_constructs.cluster.protection",
}
__all__ = [
    "DoksCluster",
    "DoksClusterSettings",
    "DoksVpc",
    "DoksVpcSettings",
    "FluxBootstrap",
    "FluxBootstrapSettings",
    "NodePoolSettings",
    "protect",
]
__getattr__, __dir__ = lazy_exports(__name__, lambda: _EXPORTS)
