"""Map the typed configuration onto the stacks' props (no CDKTF imports here)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from app.config.model import WildsideConfig
from wildside_constructs.model import ClusterContext
from wildside_constructs.registry import BY_KEY

if TYPE_CHECKING:
    from stacks.cluster_stack import ClusterStackProps
    from stacks.state import StateProps
    from wildside_constructs.cluster.doks import DoksClusterProps


def cluster_context(config: WildsideConfig) -> ClusterContext:
    cluster = config.cluster
    return ClusterContext(
        name=cluster.name,
        environment=cluster.environment,
        domain=cluster.domain,
        acme_email=cluster.acme_email,
        enabled=enabled_components(config),
    )


def enabled_components(config: WildsideConfig) -> tuple[str, ...]:
    """Enabled component keys in catalogue order (the order dependencies resolve)."""
    on = set(config.components.enabled())
    return tuple(key for key in BY_KEY if key in on)


def platform_settings(config: WildsideConfig) -> dict[str, Any]:
    return {key: config.settings[key] for key in enabled_components(config)}


def doks_props(config: WildsideConfig) -> DoksClusterProps:
    from wildside_constructs.cluster.doks import DoksClusterProps, NodePoolProps

    cluster = config.cluster
    pools = tuple(
        NodePoolProps(
            name=pool.name,
            size=pool.size,
            count=pool.count,
            auto_scale=pool.auto_scale,
            min_nodes=pool.min_nodes,
            max_nodes=pool.max_nodes,
            labels=dict(pool.labels),
            taints=tuple((t.key, t.value, t.effect) for t in pool.taints),
            tags=pool.tags,
        )
        for pool in config.node_pools
    )
    return DoksClusterProps(
        name=cluster.name,
        region=cluster.region,
        kubernetes_version=cluster.kubernetes_version,
        node_pools=pools,
        allow_destroy=cluster.allow_destroy,
        ha=cluster.ha,
        auto_upgrade=cluster.auto_upgrade,
        surge_upgrade=cluster.surge_upgrade,
        tags=cluster.tags,
        maintenance_day=cluster.maintenance.day,
        maintenance_start_time=cluster.maintenance.start_time,
        vpc_uuid=(cluster.vpc.uuid or None) if cluster.vpc else None,
    )


def cluster_stack_props(config: WildsideConfig, environ: Mapping[str, str]) -> ClusterStackProps:
    """cluster-stack's props; ``environ`` names the engine (TERRAFORM_BINARY_NAME)."""
    from stacks.cluster_stack import ClusterStackProps, FluxProps
    from wildside_constructs.cluster.vpc import DoksVpcProps

    cluster, flux = config.cluster, config.flux
    vpc = cluster.vpc
    return ClusterStackProps(
        cluster=doks_props(config),
        vpc=DoksVpcProps(
            cluster_name=cluster.name,
            region=cluster.region,
            ip_range=vpc.ip_range,
            allow_destroy=cluster.allow_destroy,
        )
        if vpc is not None and vpc.create
        else None,
        state=state_props(config, environ),
        flux=FluxProps(
            repository_url=config.gitops.repository_url,
            branch=config.gitops.branch,
            kube_auth=flux.kube_auth,
            revision=flux.revision,
        )
        if flux.bootstrap
        else None,
    )


def state_props(config: WildsideConfig, environ: Mapping[str, str]) -> StateProps:
    """One backend for every stack of a cluster; each stack gets its own key."""
    from stacks.state import StateProps

    # StateProps mirrors StateSettings field for field, plus the cluster and engine.
    return StateProps(
        cluster=config.cluster.name,
        engine=environ.get("TERRAFORM_BINARY_NAME", "").strip() or "tofu",
        **vars(config.state),
    )
