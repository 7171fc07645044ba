"""A DOKS cluster with its node pools, protected from accidental destruction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cdktf import TerraformIterator, TerraformResourceLifecycle, Token
from cdktf_cdktf_provider_digitalocean.data_digitalocean_kubernetes_versions import (
    DataDigitaloceanKubernetesVersions,
)
from cdktf_cdktf_provider_digitalocean.kubernetes_cluster import (
    KubernetesCluster,
    KubernetesClusterMaintenancePolicy,
    KubernetesClusterNodePool,
    KubernetesClusterNodePoolTaint,
)
from cdktf_cdktf_provider_digitalocean.kubernetes_node_pool import KubernetesNodePool
from constructs import Construct

from wildside_constructs.cluster import rules
from wildside_constructs.cluster.values import (
    Ref,
    at,
    flag,
    known,
    number,
    string_map,
    strings,
    text,
)
from wildside_constructs.problems import Problem
from wildside_constructs.validation.errors import SettingsError


@dataclass(frozen=True)
class NodePoolSettings:
    """One node pool: ``count`` nodes, or ``auto_scale`` between min and max."""

    # A DNS label, unique among the cluster's pools (the extra pools' key).
    name: str
    # A droplet size slug, e.g. "s-2vcpu-4gb".
    size: str
    # At least 1 without auto_scale; with it, unset or within min..max.
    count: int | None = None
    auto_scale: bool = False
    min_nodes: int | None = None
    max_nodes: int | None = None
    labels: dict[str, str] = field(default_factory=dict)
    taints: tuple[tuple[str, str, str], ...] = ()  # (key, value, effect)
    tags: tuple[str, ...] = ()

    def problems(self, where: str) -> list[Problem]:
        """The ``[[node_pools]]`` rules of the configuration, reported under ``where``."""
        found = rules.pool_problems(
            where,
            name=self.name,
            size=self.size,
            count=self.count,
            auto_scale=self.auto_scale,
            min_nodes=self.min_nodes,
            max_nodes=self.max_nodes,
            labels=self.labels,
            taints=[(key, value) for key, value, _effect in self.taints],
            tags=self.tags,
        )
        for index, (_key, _value, effect) in enumerate(self.taints):
            found += rules.choice_problems(
                f"{where}.taints[{index}].effect", effect, rules.TAINT_EFFECTS
            )
        return found


@dataclass(frozen=True)
class DoksClusterSettings:
    """Plain values for a stack, or :class:`Ref` expressions for a module."""

    name: str | Ref
    region: str | Ref
    # "latest", a minor ("1.33") resolved to its newest patch, or an exact slug.
    kubernetes_version: str | Ref
    # The first pool is the default pool. A Ref names a list(object) whose
    # objects use the node pool attribute names (node_count, not count).
    node_pools: tuple[NodePoolSettings, ...] | Ref
    # Not an expression: Terraform reads lifecycle before any variable.
    allow_destroy: bool = False
    ha: bool | Ref = False
    auto_upgrade: bool | Ref = False
    surge_upgrade: bool | Ref = True
    tags: tuple[str, ...] | Ref = ()
    maintenance_day: str | Ref = "sunday"
    maintenance_start_time: str | Ref = "04:00"
    vpc_uuid: str | Ref | None = None

    def problems(self, where: str = "") -> list[Problem]:
        """What the configuration refuses in ``[cluster]``, in the same words.

        :class:`Ref` values (a module's variables) are checked by their
        variables' validation rules at plan time, so they are skipped here.
        """
        found = rules.allow_destroy_problems(at(where, "allow_destroy"), self.allow_destroy)
        if known(self.name):
            found += rules.label_problems(
                at(where, "name"), text(self.name), rules.CLUSTER_NAME_RULE
            )
        if known(self.region):
            found += rules.region_problems(at(where, "region"), text(self.region))
        if known(self.kubernetes_version):
            found += rules.version_problems(
                at(where, "kubernetes_version"),
                text(self.kubernetes_version),
                auto_upgrade=self.auto_upgrade is True,
            )
        if known(self.maintenance_day):
            found += rules.choice_problems(
                at(where, "maintenance_day"), self.maintenance_day, rules.WEEKDAYS
            )
        if known(self.maintenance_start_time):
            found += rules.start_time_problems(
                at(where, "maintenance_start_time"), text(self.maintenance_start_time)
            )
        if not isinstance(self.tags, Ref):
            found += rules.tag_problems(at(where, "tags"), (t for t in self.tags if known(t)))
        if self.vpc_uuid is not None and known(self.vpc_uuid):
            found += rules.vpc_uuid_problems(at(where, "vpc_uuid"), text(self.vpc_uuid))
        return found + self._pool_problems(at(where, "node_pools"))

    def _pool_problems(self, where: str) -> list[Problem]:
        if isinstance(self.node_pools, Ref):
            return []
        if not self.node_pools:
            return [Problem(where, "needs at least one NodePoolSettings; the first is the default")]
        found: list[Problem] = []
        for index, pool in enumerate(self.node_pools):
            found += pool.problems(f"{where}[{index}]")
        return found + rules.pool_name_problems(where, (pool.name for pool in self.node_pools))


def pool_value(pool: NodePoolSettings) -> dict[str, Any]:
    """A pool as the object the extra-pool ``for_each`` iterates over."""
    value: dict[str, Any] = {
        "name": pool.name,
        "size": pool.size,
        "auto_scale": pool.auto_scale,
        "labels": dict(pool.labels),
        "taints": [{"key": k, "value": v, "effect": e} for k, v, e in pool.taints],
        "tags": list(pool.tags),
    }
    # Absent rather than null: cdktf drops None, and try() below reads absence as null.
    # An autoscaled pool leaves node_count unset so plans never fight the autoscaler.
    sizes = (
        {"min_nodes": pool.min_nodes, "max_nodes": pool.max_nodes}
        if pool.auto_scale
        else {"node_count": pool.count}
    )
    value.update({key: nodes for key, nodes in sizes.items() if nodes is not None})
    return value


def _taint_block(source: str) -> dict[str, Any]:
    # Written by hand: cdktf's nested dynamic iterator inside a for_each
    # resource renders its references as `each.value`, the outer iterator.
    return {
        "for_each": f"${{{source}}}",
        "content": {
            "key": "${taint.value.key}",
            "value": "${taint.value.value}",
            "effect": "${taint.value.effect}",
        },
    }


class DoksCluster(Construct):
    """``digitalocean_kubernetes_cluster`` plus one node pool resource per extra pool.

    DigitalOcean keeps the default pool inside the cluster resource; further
    pools are a ``digitalocean_kubernetes_node_pool`` with ``for_each`` keyed by
    pool name, so adding or removing one pool never re-addresses the others.
    Invalid ``settings`` raise :class:`SettingsError` before anything is added.
    """

    def __init__(self, scope: Construct, id: str, *, settings: DoksClusterSettings) -> None:
        # Checked here as well as by the configuration loader, so a cluster
        # composed directly in Python refuses what a configuration file would.
        SettingsError.check(self, settings.problems())
        super().__init__(scope, id)
        lifecycle = TerraformResourceLifecycle(prevent_destroy=not settings.allow_destroy)
        self.cluster = KubernetesCluster(
            self,
            "cluster",
            name=text(settings.name),
            region=text(settings.region),
            version=self._version(settings.kubernetes_version),
            ha=flag(settings.ha),
            auto_upgrade=flag(settings.auto_upgrade),
            surge_upgrade=flag(settings.surge_upgrade),
            tags=strings(settings.tags),
            vpc_uuid=text(settings.vpc_uuid) if settings.vpc_uuid is not None else None,
            maintenance_policy=KubernetesClusterMaintenancePolicy(
                day=text(settings.maintenance_day), start_time=text(settings.maintenance_start_time)
            ),
            node_pool=self._default_pool(settings.node_pools),
            lifecycle=lifecycle,
        )
        if isinstance(settings.node_pools, Ref):
            # The taints of a module's default pool are only known to Terraform.
            taints = settings.node_pools.at("[0]").attr("taints", "[]")
            self.cluster.add_override("node_pool.dynamic.taint", _taint_block(taints.expression))
        self.node_pools = self._extra_pools(settings.node_pools, lifecycle)

    def _default_pool(self, pools: tuple[NodePoolSettings, ...] | Ref) -> KubernetesClusterNodePool:
        if isinstance(pools, Ref):
            first = pools.at("[0]")
            return KubernetesClusterNodePool(
                name=str(first.at(".name")),
                size=str(first.at(".size")),
                node_count=number(first.attr("node_count", "null")),
                auto_scale=flag(first.attr("auto_scale", "false")),
                min_nodes=number(first.attr("min_nodes", "null")),
                max_nodes=number(first.attr("max_nodes", "null")),
                labels=string_map(first.attr("labels", "{}")),
                tags=strings(first.attr("tags", "[]")),
            )
        default = pools[0]
        sizes: dict[str, Any] = (
            {"auto_scale": True, "min_nodes": default.min_nodes, "max_nodes": default.max_nodes}
            if default.auto_scale
            else {"node_count": default.count}
        )
        return KubernetesClusterNodePool(
            name=default.name,
            size=default.size,
            labels=string_map(default.labels),
            tags=strings(default.tags),
            taint=[
                KubernetesClusterNodePoolTaint(key=k, value=v, effect=e)
                for k, v, e in default.taints
            ]
            or None,
            **sizes,
        )

    def _extra_pools(
        self, pools: tuple[NodePoolSettings, ...] | Ref, lifecycle: TerraformResourceLifecycle
    ) -> KubernetesNodePool | None:
        if isinstance(pools, Ref):
            ref = pools.expression
            by_name = f"${{{{ for p in slice({ref}, 1, length({ref})) : p.name => p }}}}"
            source: Any = Token.as_any_map(by_name)
        elif len(pools) > 1:
            source = {pool.name: pool_value(pool) for pool in pools[1:]}
        else:
            return None
        each = Ref("each.value")
        resource = KubernetesNodePool(
            self,
            "pools",
            for_each=TerraformIterator.from_map(source),
            cluster_id=self.cluster.id,
            name=str(each.at(".name")),
            size=str(each.at(".size")),
            node_count=number(each.attr("node_count", "null")),
            auto_scale=flag(each.attr("auto_scale", "false")),
            min_nodes=number(each.attr("min_nodes", "null")),
            max_nodes=number(each.attr("max_nodes", "null")),
            labels=string_map(each.attr("labels", "{}")),
            tags=strings(each.attr("tags", "[]")),
            lifecycle=lifecycle,
        )
        resource.add_override("dynamic.taint", _taint_block(each.attr("taints", "[]").expression))
        return resource

    def _version(self, requested: str | Ref) -> str:
        if isinstance(requested, Ref):
            # A module decides at plan time: an exact slug ("1.33.1-do.3") has
            # more than one dot; anything else selects the newest matching patch.
            ref = requested.expression
            prefix = f'${{{ref} == "latest" ? null : "${{{ref}}}."}}'
            versions = DataDigitaloceanKubernetesVersions(self, "versions", version_prefix=prefix)
            data = f"data.{versions.terraform_resource_type}.{versions.friendly_unique_id}"
            return f'${{length(split(".", {ref})) > 2 ? {ref} : {data}.latest_version}}'
        if "-do." in requested:
            return requested
        versions = DataDigitaloceanKubernetesVersions(
            self, "versions", version_prefix=None if requested == "latest" else f"{requested}."
        )
        return versions.latest_version
