"""Configuration rules for the cluster, its pools, state and the Flux bootstrap."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.config.errors import ConfigError
from tests.cluster.conftest import TEST_DIGEST
from tests.support import example_with

POOL = {"name": "p", "size": "s-2vcpu-4gb", "count": 1}


def _fields(overrides: dict[str, Any], env: dict[str, str] | None = None) -> set[str]:
    with pytest.raises(ConfigError) as raised:
        example_with(overrides, env)
    return {problem.field for problem in raised.value.problems}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"node_pools": [{**POOL, "labels": {"bad key!": "x"}}]}, "node_pools[0].labels.bad key!"),
        ({"node_pools": [{**POOL, "labels": {"-x": "y"}}]}, "node_pools[0].labels.-x"),
        ({"node_pools": [{**POOL, "labels": {"ok": "no spaces"}}]}, "node_pools[0].labels.ok"),
        (
            {"node_pools": [{**POOL, "taints": [{"key": "a/b/c", "effect": "NoSchedule"}]}]},
            "node_pools[0].taints[0].key",
        ),
        (
            {"node_pools": [{**POOL, "taints": [{"key": "k", "effect": "Never"}]}]},
            "node_pools[0].taints[0].effect",
        ),
        ({"node_pools": [{**POOL, "tags": ["has space"]}]}, "node_pools[0].tags[0]"),
        (
            {
                "node_pools": [
                    {**POOL, "auto_scale": True, "min_nodes": 2, "max_nodes": 3, "count": 5}
                ]
            },
            "node_pools[0].count",
        ),
        ({"cluster": {"tags": ["no/slash"]}}, "cluster.tags[0]"),
        ({"cluster": {"vpc": {"create": True, "uuid": "x"}}}, "cluster.vpc"),
        ({"cluster": {"vpc": {}}}, "cluster.vpc"),
        ({"cluster": {"vpc": {"uuid": "not-a-uuid"}}}, "cluster.vpc.uuid"),
        ({"cluster": {"vpc": {"create": True, "ip_range": "8.8.8.0/24"}}}, "cluster.vpc.ip_range"),
        (
            {"cluster": {"auto_upgrade": True, "kubernetes_version": "1.33.1-do.3"}},
            "cluster.kubernetes_version",
        ),
        ({"state": {"backend": "s3", "bucket": "Bad_Bucket"}}, "state.bucket"),
        ({"state": {"endpoint": "nyc3.digitaloceanspaces.com"}}, "state.endpoint"),
        ({"state": {"key_prefix": "../escape"}}, "state.key_prefix"),
        (
            {"gitops": {"repository_url": "git@github.com:example/repo.git"}},
            "gitops.repository_url",
        ),
        ({"flux": {"kube_auth": "password"}}, "flux.kube_auth"),
        ({"flux": {"revision": 0}}, "flux.revision"),
    ],
)
def test_rule_names_the_field(overrides: dict[str, Any], field: str) -> None:
    assert field in _fields(overrides)


def test_good_cluster_settings_are_accepted() -> None:
    config = example_with(
        {
            "cluster": {
                "vpc": {"create": True, "ip_range": "10.10.0.0/16"},
                "auto_upgrade": True,
            },
            "node_pools": [
                {
                    **POOL,
                    "labels": {"node-role.kubernetes.io/worker": "", "tier": "web-1"},
                    "taints": [{"key": "example.com/gpu", "value": "true", "effect": "NoExecute"}],
                    "tags": ["pool:web"],
                },
                # The tainted pool takes no platform pods: the capacity check
                # needs an untainted one.
                {"name": "system", "size": "s-4vcpu-8gb", "count": 2},
            ],
            "state": {
                "backend": "s3",
                "bucket": "wildside-tofu-state",
                "endpoint": "https://nyc3.digitaloceanspaces.com",
                "key_prefix": "teams/platform",
            },
            "flux": {"cli_digest": TEST_DIGEST},
        }
    )
    assert config.cluster.vpc is not None and config.cluster.vpc.create
    assert config.state.encrypted()  # on by default for remote state
    assert config.state.skip_s3_checksum is True  # S3-compatible stores need it


def test_node_pools_json_is_validated_like_the_file() -> None:
    pools = [{**POOL, "name": "a"}, {**POOL, "name": "a", "size": ""}]
    fields = _fields({}, {"WILDSIDE_NODE_POOLS": json.dumps(pools)})
    assert {"node_pools", "node_pools[1].size"} <= fields


def test_environment_switches_the_bootstrap_and_state_settings() -> None:
    config = example_with(
        {},
        {
            "WILDSIDE_FLUX_BOOTSTRAP": "false",
            "WILDSIDE_FLUX_KUBE_AUTH": "token",
            "WILDSIDE_STATE_BACKEND": "s3",
            "WILDSIDE_STATE_BUCKET": "state-bucket",
            "WILDSIDE_STATE_USE_PATH_STYLE": "true",
            "WILDSIDE_STATE_KEY_PREFIX": "k8s",
        },
    )
    assert config.flux.bootstrap is False
    assert config.flux.kube_auth == "token"
    assert (config.state.backend, config.state.bucket) == ("s3", "state-bucket")
    assert config.state.use_path_style is True
    assert config.state.key_prefix == "k8s"


def test_ssh_repository_is_fine_without_the_bootstrap() -> None:
    config = example_with(
        {
            "gitops": {"repository_url": "git@github.com:example/repo.git"},
            "flux": {"bootstrap": False},
        }
    )
    assert config.flux.bootstrap is False
