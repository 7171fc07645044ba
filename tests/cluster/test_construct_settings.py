"""Cluster constructs check their own settings, in the configuration loader's words.

A user composing ``DoksCluster``, ``DoksVpc``, ``FluxBootstrap`` or ``protect``
directly in Python (no configuration file) gets a ``SettingsError`` naming the
field and the fix before anything is added to the stack; the messages are the
ones ``wildside config`` prints for the same value.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from app.config.errors import ConfigError
from app.stack_settings import doks_settings
from tests.support import example_with, scratch_app
from wildside_constructs.cluster.values import Ref
from wildside_constructs.validation.errors import SettingsError

DIGEST = "sha256:" + "5e" * 32


def _stack() -> Any:
    from cdktf import TerraformStack

    return TerraformStack(scratch_app(), "composed")


def _refused(build: Any, stack: Any, child: str) -> list[str]:
    """The problems ``build(stack)`` raises; nothing may have been added under ``child``."""
    with pytest.raises(SettingsError) as caught:
        build(stack)
    assert stack.node.try_find_child(child) is None
    return [str(problem) for problem in caught.value.problems]


def _config_messages(overrides: dict[str, Any], field: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        example_with(overrides)
    return [p.message for p in caught.value.problems if p.field == field]


def _doks(**changes: Any) -> list[str]:
    from wildside_constructs.cluster.doks import DoksCluster

    settings = dataclasses.replace(doks_settings(example_with()), **changes)
    return _refused(lambda s: DoksCluster(s, "doks", settings=settings), _stack(), "doks")


def _pool(**changes: Any) -> Any:
    from wildside_constructs.cluster.doks import NodePoolSettings

    return dataclasses.replace(
        NodePoolSettings(name="default", size="s-2vcpu-4gb", count=2), **changes
    )


# (configuration override, its field, DoksClusterSettings change, the construct's field)
SAME_RULE = [
    ({"cluster": {"name": "Prod_1"}}, "cluster.name", {"name": "Prod_1"}, "name"),
    ({"cluster": {"region": "new-york"}}, "cluster.region", {"region": "new-york"}, "region"),
    (
        {"cluster": {"kubernetes_version": "1"}},
        "cluster.kubernetes_version",
        {"kubernetes_version": "1"},
        "kubernetes_version",
    ),
    (
        {"cluster": {"auto_upgrade": True, "kubernetes_version": "1.33.1-do.3"}},
        "cluster.kubernetes_version",
        {"auto_upgrade": True, "kubernetes_version": "1.33.1-do.3"},
        "kubernetes_version",
    ),
    (
        {"cluster": {"maintenance": {"start_time": "25:00"}}},
        "cluster.maintenance.start_time",
        {"maintenance_start_time": "25:00"},
        "maintenance_start_time",
    ),
    (
        {"cluster": {"tags": ["ok", "no spaces"]}},
        "cluster.tags[1]",
        {"tags": ("ok", "no spaces")},
        "tags[1]",
    ),
    (
        {"cluster": {"vpc": {"uuid": "vpc-1"}}},
        "cluster.vpc.uuid",
        {"vpc_uuid": "vpc-1"},
        "vpc_uuid",
    ),
]


@pytest.mark.parametrize(("override", "field", "change", "construct_field"), SAME_RULE)
def test_doks_cluster_refuses_what_the_configuration_refuses_in_its_words(
    override: dict[str, Any], field: str, change: dict[str, Any], construct_field: str
) -> None:
    expected = _config_messages(override, field)
    assert expected, f"the configuration accepted {override}"
    problems = _doks(**change)
    assert problems == [f"{construct_field}: {message}" for message in expected]


POOL_CASES = [
    ({"count": 0}, "node_pools[0].count", "must be at least 1 (or set auto_scale with min/max)"),
    (
        {"count": None, "auto_scale": True, "min_nodes": 4, "max_nodes": 2},
        "node_pools[0].min_nodes",
        "must be at least 1 and no more than max_nodes",
    ),
    (
        {"count": None, "auto_scale": True, "min_nodes": 1},
        "node_pools[0]",
        "auto_scale needs min_nodes and max_nodes",
    ),
    ({"name": "GPU pool"}, "node_pools[0].name", "is not a DNS label"),
    ({"size": " "}, "node_pools[0].size", "must not be empty; use a droplet slug"),
    (
        {"taints": (("dedicated", "gpu", "NoScheduling"),)},
        "node_pools[0].taints[0].effect",
        "must be one of 'NoSchedule', 'PreferNoSchedule', 'NoExecute', got 'NoScheduling'",
    ),
    ({"labels": {"bad key!": "x"}}, "node_pools[0].labels.bad key!", "is not a Kubernetes key"),
]


@pytest.mark.parametrize(("change", "field", "words"), POOL_CASES)
def test_doks_cluster_refuses_a_bad_node_pool_naming_it(
    change: dict[str, Any], field: str, words: str
) -> None:
    problems = _doks(node_pools=(_pool(**change),))
    assert len(problems) == 1
    assert problems[0].startswith(f"{field}: ")
    assert words in problems[0]


def test_pool_rules_are_the_configuration_s() -> None:
    override = {"node_pools": [{"name": "default", "size": "s-2vcpu-4gb", "count": 0}]}
    expected = _config_messages(override, "node_pools[0].count")
    assert _doks(node_pools=(_pool(count=0),)) == [f"node_pools[0].count: {m}" for m in expected]


def test_doks_cluster_needs_pools_with_distinct_names() -> None:
    assert _doks(node_pools=()) == [
        "node_pools: needs at least one NodePoolSettings; the first is the default"
    ]
    assert _doks(node_pools=(_pool(), _pool())) == [
        "node_pools: pool name 'default' is used 2 times"
    ]


def test_doks_cluster_refuses_an_unknown_day_and_a_non_bool_consent() -> None:
    problems = _doks(maintenance_day="funday", allow_destroy="false")
    assert problems == [
        "allow_destroy: must be True or False, got 'false': it switches destroy protection "
        "off, so it takes an explicit bool",
        "maintenance_day: must be one of 'any', 'monday', 'tuesday', 'wednesday', 'thursday', "
        "'friday', 'saturday', 'sunday', got 'funday'",
    ]


def test_terraform_expressions_are_left_to_plan_time() -> None:
    from cdktf import Testing

    from wildside_constructs.cluster.doks import DoksCluster

    stack = _stack()
    vpc = Ref("var.vpc_uuid")
    settings = dataclasses.replace(
        doks_settings(example_with()), region=Ref("var.region"), vpc_uuid=str(vpc)
    )
    DoksCluster(stack, "doks", settings=settings)
    assert '"region": "${var.region}"' in Testing.synth(stack)


def test_doks_vpc_refuses_a_bad_range_in_the_configuration_s_words() -> None:
    from wildside_constructs.cluster.vpc import DoksVpc, DoksVpcSettings

    override = {"cluster": {"vpc": {"create": True, "ip_range": "8.8.8.0/24"}}}
    expected = _config_messages(override, "cluster.vpc.ip_range")
    settings = DoksVpcSettings(cluster_name="dev", region="nyc1", ip_range="8.8.8.0/24")
    problems = _refused(lambda s: DoksVpc(s, "vpc", settings=settings), _stack(), "vpc")
    assert problems == [f"ip_range: {message}" for message in expected]
    empty = DoksVpcSettings(cluster_name="", region="nyc1")
    problems = _refused(lambda s: DoksVpc(s, "vpc", settings=empty), _stack(), "vpc")
    assert problems[0].startswith("cluster_name: must not be empty;")


def _flux(**changes: Any) -> list[str]:
    from wildside_constructs.cluster.flux_bootstrap import FluxBootstrap, FluxBootstrapSettings

    settings = FluxBootstrapSettings(
        repository_url="https://github.com/example/gitops.git",
        branch="main",
        cluster_name="dev",
        git_token=Ref("var.flux_git_token"),
        image_digest=DIGEST,
    )
    settings = dataclasses.replace(settings, **changes)
    return _refused(lambda s: FluxBootstrap(s, "flux", settings=settings), _stack(), "flux")


def test_flux_bootstrap_refuses_what_the_configuration_refuses_in_its_words() -> None:
    revision = _config_messages({"flux": {"revision": 0}}, "flux.revision")
    digest = _config_messages({"flux": {"cli_digest": "sha256:abc"}}, "flux.cli_digest")
    url = _config_messages(
        {"gitops": {"repository_url": "ftp://x"}, "flux": {"bootstrap": False}},
        "gitops.repository_url",
    )
    branch = _config_messages({"gitops": {"branch": "-main"}}, "gitops.branch")
    assert revision and digest and url and branch
    assert _flux(revision=0) == [f"revision: {m}" for m in revision]
    assert _flux(image_digest="sha256:abc") == [f"image_digest: {m}" for m in digest]
    assert _flux(repository_url="ftp://x") == [f"repository_url: {m}" for m in url]
    assert _flux(branch="-main") == [f"branch: {m}" for m in branch]


def test_flux_bootstrap_names_a_transport_that_cannot_work() -> None:
    from wildside_constructs.cluster.flux_git_secret import FluxSshKey

    (https,) = _flux(repository_url="ssh://git@github.com/example/gitops.git")
    assert https.startswith("repository_url: Flux reads it over HTTPS")
    (token,) = _flux(git_token=None)
    assert token.startswith("git_token: is required without ssh")
    key = FluxSshKey(identity=Ref("var.key"), known_hosts="")
    (scp,) = _flux(repository_url="git@github.com:example/gitops.git", ssh=key)
    assert scp == (
        "repository_url: with ssh, give the ssh:// URL Flux clones: "
        "ssh://git@github.com/example/gitops.git"
    )
    (hosts,) = _flux(repository_url="ssh://git@github.com/example/gitops.git", ssh=key)
    assert hosts == "ssh.known_hosts: has no host key lines"
    # A plan-time choice (the fluxcd module) still needs the token for its HTTPS side.
    chosen = FluxSshKey(identity=Ref("var.key"), known_hosts="", condition=Ref("var.ssh"))
    (either,) = _flux(repository_url=Ref("var.url"), git_token=None, ssh=chosen)
    assert either.startswith("git_token: is required without ssh (or with ssh.condition)")


def test_protect_refuses_settings_that_would_protect_nothing() -> None:
    from wildside_constructs.cluster.protection import protect

    def refused(**settings: Any) -> list[str]:
        stack = _stack()
        with pytest.raises(SettingsError) as caught:
            protect(stack, **settings)
        return [str(problem) for problem in caught.value.problems]

    assert refused(allow_destroy=False, types=frozenset()) == [
        "types: is empty, so nothing would be protected; name the resource types that must "
        "not be destroyed (the default is PROTECTED_TYPES)"
    ]
    (misspelt,) = refused(allow_destroy=False, types=frozenset({"digitalocean_VPC"}))
    assert misspelt.startswith("types: 'digitalocean_VPC' is not a Terraform resource type")
    (consent,) = refused(allow_destroy="no")
    assert consent.startswith("allow_destroy: must be True or False, got 'no'")
