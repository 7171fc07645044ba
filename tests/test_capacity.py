"""Capacity: the platform's requests against what the node pools can allocate."""

from __future__ import annotations

import pytest

from app.config.errors import ConfigError
from app.runtime import PROJECT_ROOT
from tests.support import config, example_with
from wildside_constructs.capacity import cpu_millis, memory_mib, node_size

PRODUCTION = PROJECT_ROOT / "app" / "config" / "examples" / "production.toml"


def _problems(env: dict[str, str]) -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        config(env, PRODUCTION)
    return {p.field: p.message for p in caught.value.problems}


def test_the_production_example_is_refused_on_one_small_node() -> None:
    pools = '[{"name": "default", "size": "s-2vcpu-4gb", "count": 1}]'
    message = _problems({"WILDSIDE_NODE_POOLS": pools})["node_pools"]
    assert "default (1 x s-2vcpu-4gb)" in message
    assert "short by" in message and "CPU" in message
    assert "add nodes" in message


def test_and_accepted_with_enough_nodes() -> None:
    for pools in (
        '[{"name": "default", "size": "s-2vcpu-4gb", "count": 3}]',
        '[{"name": "default", "size": "s-4vcpu-8gb"}]',  # the environment's three nodes
    ):
        assert config({"WILDSIDE_NODE_POOLS": pools}, PRODUCTION).cluster.environment


def test_tainted_pools_hold_no_platform_pods() -> None:
    pools = (
        '[{"name": "gpu", "size": "g-8vcpu-32gb", "count": 5,'
        ' "taints": [{"key": "gpu", "value": "true", "effect": "NoSchedule"}]},'
        ' {"name": "default", "size": "s-1vcpu-2gb", "count": 1}]'
    )
    message = _problems({"WILDSIDE_NODE_POOLS": pools})["node_pools"]
    assert "default (1 x s-1vcpu-2gb)" in message and "gpu" not in message


def test_an_autoscaled_pool_counts_at_its_maximum() -> None:
    pools = (
        '[{"name": "default", "size": "s-2vcpu-4gb", "auto_scale": true,'
        ' "min_nodes": 1, "max_nodes": 4}]'
    )
    assert config({"WILDSIDE_NODE_POOLS": pools}, PRODUCTION).node_pools[0].max_nodes == 4


def test_more_replicas_can_tip_a_fitting_cluster_over() -> None:
    fits = {"node_pools": [{"name": "default", "size": "s-4vcpu-8gb", "count": 2}]}
    example_with(fits)
    with pytest.raises(ConfigError, match="short by"):
        example_with({**fits, "rabbitmq": {"replicas": 9}})


def test_an_unknown_size_names_the_table() -> None:
    pools = '[{"name": "default", "size": "s-3vcpu-5gb", "count": 3}]'
    message = _problems({"WILDSIDE_NODE_POOLS": pools})["node_pools[0].size"]
    assert "node_sizes.toml" in message and "s-2vcpu-4gb" in message


@pytest.mark.parametrize(
    ("quantity", "millis"), [("100m", 100), ("1", 1000), ("0.5", 500), ("2.25", 2250)]
)
def test_cpu_quantities(quantity: str, millis: int) -> None:
    assert cpu_millis(quantity) == millis


@pytest.mark.parametrize(
    ("quantity", "mib"), [("128Mi", 128), ("1Gi", 1024), ("1G", 954), ("512k", 0)]
)
def test_memory_quantities(quantity: str, mib: int) -> None:
    assert memory_mib(quantity) == mib


def test_allocatable_follows_the_tiered_reservation() -> None:
    node = node_size("s-2vcpu-4gb")
    assert node is not None
    # 2000m less 6% of the first core and 1% of the second, less the DaemonSet allowance.
    assert node.allocatable_cpu == 2000 - 70 - 300
    # 4096 MiB less 25% of it, the 100 MiB eviction threshold and the allowance.
    assert node.allocatable_memory == 4096 - 1024 - 100 - 450


def _all_problems(overrides: dict[str, object]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        example_with(overrides)
    return [f"{p.field}: {p.message}" for p in caught.value.problems]


def test_a_pod_larger_than_every_node_is_refused_however_many_nodes() -> None:
    # Thirty 2 GiB nodes hold the platform's total, but a 1 GiB broker does not fit
    # in the 986 MiB one of them can allocate: exact figures, never two equal roundings.
    pools = [{"name": "default", "size": "s-1vcpu-2gb", "count": 30}]
    problems = _all_problems({"node_pools": pools})
    assert problems == [
        "node_pools: one rabbitmq/broker pod requests 1024 MiB memory but the largest "
        "schedulable node can allocate 986 MiB; choose a larger size or lower its memory "
        "request"
    ]


def test_a_pod_asking_for_more_cpu_than_any_node_has_is_refused() -> None:
    pools = [{"name": "default", "size": "s-2vcpu-4gb", "count": 20}]
    resources = {"cpu_request": "2", "memory_request": "512Mi"}
    problems = _all_problems({"node_pools": pools, "cnpg": {"resources": resources}})
    assert problems == [
        "node_pools: one cnpg/postgres pod requests 2000m CPU but the largest schedulable "
        "node can allocate 1630m; choose a larger size or lower its CPU request"
    ]
    example_with({"node_pools": pools, "cnpg": {"resources": {**resources, "cpu_request": "1"}}})
