"""A DOKS cluster with its node pools, protected from accidental destruction."""

from __future__ import annotations

from dataclasses import dataclass, field

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_digitalocean.data_digitalocean_kubernetes_versions import (
    DataDigitaloceanKubernetesVersions,
)
from cdktf_cdktf_provider_digitalocean.kubernetes_cluster import (
    KubernetesCluster,
    KubernetesClusterMaintenancePolicy,
    KubernetesClusterNodePool,
    KubernetesClusterNodePoolTaint,
)
from cdktf_cdktf_provider_digitalocean.kubernetes_node_pool import (
    KubernetesNodePool,
    KubernetesNodePoolTaint,
)
from constructs import Construct


@dataclass(frozen=True)
class NodePoolProps:
    name: str
    size: str
    count: int | None = None
    auto_scale: bool = False
    min_nodes: int | None = None
    max_nodes: int | None = None
    labels: dict[str, str] = field(default_factory=dict)
    taints: tuple[tuple[str, str, str], ...] = ()  # (key, value, effect)
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class DoksClusterProps:
    name: str
    region: str
    # "latest", a minor ("1.33") resolved to its newest patch, or an exact slug.
    kubernetes_version: str
    node_pools: tuple[NodePoolProps, ...]
    allow_destroy: bool = False
    ha: bool = False
    auto_upgrade: bool = False
    surge_upgrade: bool = True
    tags: tuple[str, ...] = ()
    maintenance_day: str = "sunday"
    maintenance_start_time: str = "04:00"
    vpc_uuid: str | None = None


def _pool_args(pool: NodePoolProps) -> dict[str, object]:
    args: dict[str, object] = {"name": pool.name, "size": pool.size}
    if pool.auto_scale:
        args.update(auto_scale=True, min_nodes=pool.min_nodes, max_nodes=pool.max_nodes)
    else:
        args["node_count"] = pool.count
    if pool.labels:
        args["labels"] = dict(pool.labels)
    if pool.tags:
        args["tags"] = list(pool.tags)
    return args


class DoksCluster(Construct):
    """``digitalocean_kubernetes_cluster`` plus one resource per extra pool.

    DigitalOcean keeps the default pool inside the cluster resource; further
    pools must be separate ``digitalocean_kubernetes_node_pool`` resources.
    """

    def __init__(self, scope: Construct, id: str, *, props: DoksClusterProps) -> None:
        super().__init__(scope, id)
        lifecycle = TerraformResourceLifecycle(prevent_destroy=not props.allow_destroy)
        default, *extra = props.node_pools
        version = self._version(props.kubernetes_version)
        self.cluster = KubernetesCluster(
            self,
            "cluster",
            name=props.name,
            region=props.region,
            version=version,
            ha=props.ha,
            auto_upgrade=props.auto_upgrade,
            surge_upgrade=props.surge_upgrade,
            tags=list(props.tags) or None,
            vpc_uuid=props.vpc_uuid,
            maintenance_policy=KubernetesClusterMaintenancePolicy(
                day=props.maintenance_day, start_time=props.maintenance_start_time
            ),
            node_pool=KubernetesClusterNodePool(
                **_pool_args(default),  # type: ignore[arg-type]
                taint=[
                    KubernetesClusterNodePoolTaint(key=k, value=v, effect=e)
                    for k, v, e in default.taints
                ]
                or None,
            ),
            lifecycle=lifecycle,
        )
        self.node_pools = [
            KubernetesNodePool(
                self,
                f"pool-{pool.name}",
                cluster_id=self.cluster.id,
                **_pool_args(pool),  # type: ignore[arg-type]
                taint=[KubernetesNodePoolTaint(key=k, value=v, effect=e) for k, v, e in pool.taints]
                or None,
                lifecycle=lifecycle,
            )
            for pool in extra
        ]

    def _version(self, requested: str) -> str:
        if requested.count(".") == 2:
            return requested
        prefix = None if requested == "latest" else f"{requested}."
        versions = DataDigitaloceanKubernetesVersions(self, "versions", version_prefix=prefix)
        return versions.latest_version
