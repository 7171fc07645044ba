"""Which resources destroy protection covers, and what counts as protected."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from app.config.load import config_from_raw
from tests.support import example_raw, scratch_app

if TYPE_CHECKING:
    from stacks.cluster_stack import ClusterStack


def _stack(raw: dict[str, Any]) -> ClusterStack:
    from app.stack_settings import cluster_stack_settings
    from stacks.cluster_stack import ClusterStack

    raw.setdefault("flux", {})["bootstrap"] = False
    config = config_from_raw(raw, {}, "test")
    return ClusterStack(scratch_app(), "cluster-stack", settings=cluster_stack_settings(config, {}))


def _problem_paths(stack: ClusterStack) -> list[str]:
    from wildside_constructs.cluster.errors import DestroyProtectionError

    with pytest.raises(DestroyProtectionError) as raised:
        stack.preflight()
    return [problem.field for problem in raised.value.problems]


@pytest.mark.parametrize("kind", ["vpc", "cluster"])
def test_an_unprotected_vpc_or_cluster_is_refused(kind: str) -> None:
    from cdktf_cdktf_provider_digitalocean.kubernetes_cluster import (
        KubernetesCluster,
        KubernetesClusterNodePool,
    )
    from cdktf_cdktf_provider_digitalocean.vpc import Vpc

    stack = _stack(example_raw())
    if kind == "vpc":
        Vpc(stack, "careless", name="careless", region="nyc1")
    else:
        pool = KubernetesClusterNodePool(name="p", size="s-1vcpu-2gb", node_count=1)
        KubernetesCluster(
            stack, "careless", name="c", region="nyc1", version="1.33", node_pool=pool
        )
    assert _problem_paths(stack) == ["cluster-stack/careless"]


def test_allow_destroy_defaults_to_false_when_the_config_omits_it() -> None:
    from cdktf_cdktf_provider_digitalocean.vpc import Vpc

    raw = example_raw()
    raw["cluster"].pop("allow_destroy", None)
    stack = _stack(raw)
    Vpc(stack, "careless", name="careless", region="nyc1")
    assert _problem_paths(stack) == ["cluster-stack/careless"]


def test_prevent_destroy_false_counts_as_unprotected() -> None:
    from cdktf_cdktf_provider_digitalocean.vpc import Vpc

    stack = _stack(example_raw())
    vpc = Vpc(stack, "careless", name="careless", region="nyc1")
    vpc.add_override("lifecycle.prevent_destroy", False)
    assert _problem_paths(stack) == ["cluster-stack/careless"]
