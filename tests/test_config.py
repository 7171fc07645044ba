"""Configuration: every rule rejects bad input, naming the field and the fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.config.errors import ConfigError
from app.runtime import PROJECT_ROOT
from tests.conftest import run_app
from tests.support import config, example_raw, problems_of, write_config


def test_embedded_default_is_dev_with_every_component_enabled() -> None:
    cfg = config()
    assert cfg.cluster.name == "dev"
    assert cfg.source.endswith("example.toml")
    assert cfg.components.enabled() == (
        "traefik",
        "cert_manager",
        "external_dns",
        "vault_eso",
        "cnpg",
        "valkey",
        "rabbitmq",
        "apps",
        "observability",
    )
    assert cfg.gitops.branch == "main"
    assert cfg.cluster.allow_destroy is False


def test_config_file_named_by_environment(tmp_path: Path) -> None:
    raw = example_raw()
    text = (
        (PROJECT_ROOT / "app/config/example.toml")
        .read_text()
        .replace('name = "dev"', 'name = "staging"', 1)
    )
    path = write_config(tmp_path, text)
    assert raw["cluster"]["name"] == "dev"
    assert config(path=path).cluster.name == "staging"


def test_environment_overrides_win() -> None:
    cfg = config(
        {
            "WILDSIDE_CLUSTER_NAME": "ci-42",
            "WILDSIDE_DOMAIN": "ci.example.org",
            "WILDSIDE_GITOPS_DIR": "/tmp/gitops",
            "WILDSIDE_GITOPS_REMOTE": "/srv/remote.git",
            "WILDSIDE_GITOPS_BRANCH": "release",
            "WILDSIDE_ENABLE_TRAEFIK": "false",
            "WILDSIDE_ENABLE_OBSERVABILITY": "false",
            "WILDSIDE_ENABLE_VALKEY": "0",
            "WILDSIDE_NODE_POOLS": json.dumps([{"name": "big", "size": "s-4vcpu-8gb", "count": 2}]),
        }
    )
    assert cfg.cluster.name == "ci-42"
    assert cfg.cluster.domain == "ci.example.org"
    assert (cfg.gitops.dir, cfg.gitops.remote, cfg.gitops.branch) == (
        "/tmp/gitops",
        "/srv/remote.git",
        "release",
    )
    assert cfg.components.traefik is False
    assert cfg.components.valkey is False
    assert [p.name for p in cfg.node_pools] == ["big"]


@pytest.mark.parametrize("name", ["../x", "a/b", "Dev", "", "a" * 64, "-dev", "dev-", "dev_1"])
def test_unsafe_cluster_names_are_rejected(name: str) -> None:
    problems = problems_of(env={"WILDSIDE_CLUSTER_NAME": name})
    assert "cluster.name" in problems
    assert "lower-case letters" in problems["cluster.name"]


@pytest.mark.parametrize("name", ["123", "on", "no", "true", "null", "1e3"])
def test_names_yaml_would_retype_are_rejected(name: str) -> None:
    problems = problems_of(env={"WILDSIDE_CLUSTER_NAME": name})
    assert "reads as a number, boolean or null" in problems["cluster.name"]


def test_sixty_three_character_name_is_accepted() -> None:
    assert config({"WILDSIDE_CLUSTER_NAME": "a" * 63}).cluster.name == "a" * 63


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"cluster": {"region": "New York"}}, "cluster.region"),
        ({"cluster": {"kubernetes_version": "1.33.x"}}, "cluster.kubernetes_version"),
        ({"cluster": {"domain": "Example..com"}}, "cluster.domain"),
        ({"cluster": {"acme_email": "not-an-email"}}, "cluster.acme_email"),
        ({"cluster": {"environment": "Prod!"}}, "cluster.environment"),
        ({"cluster": {"maintenance": {"start_time": "25:00"}}}, "cluster.maintenance.start_time"),
        ({"cluster": {"maintenance": {"day": "someday"}}}, "cluster.maintenance.day"),
        ({"cluster": {"allow_destroy": "yes"}}, "cluster.allow_destroy"),
        ({"cluster": {"colour": "blue"}}, "cluster.colour"),
        ({"gitops": {"repository_url": "ftp://example.com/repo"}}, "gitops.repository_url"),
        ({"gitops": {"branch": "bad..branch"}}, "gitops.branch"),
        ({"state": {"backend": "s3"}}, "state.bucket"),
        ({"state": {"backend": "gcs"}}, "state.backend"),
        ({"traefik": {"replicas": 0}}, "traefik.replicas"),
        ({"traefik": {"replicas": "two"}}, "traefik.replicas"),
        ({"traefik": {"service_type": "Ingress"}}, "traefik.service_type"),
        ({"traefik": {"resources": {"cpu_limit": "lots"}}}, "traefik.resources.cpu_limit"),
        ({"unknown_table": {"x": 1}}, "unknown_table"),
        ({"node_pools": []}, "node_pools"),
        ({"node_pools": [{"name": "p", "size": ""}]}, "node_pools[0].size"),
        ({"node_pools": [{"name": "p", "size": "s-2vcpu-4gb", "count": 0}]}, "node_pools[0].count"),
        ({"node_pools": [{"name": "P!", "size": "s-2vcpu-4gb", "count": 1}]}, "node_pools[0].name"),
        (
            {
                "node_pools": [
                    {
                        "name": "p",
                        "size": "s-2vcpu-4gb",
                        "auto_scale": True,
                        "min_nodes": 3,
                        "max_nodes": 2,
                    }
                ]
            },
            "node_pools[0].min_nodes",
        ),
        (
            {"node_pools": [{"name": "p", "size": "s-2vcpu-4gb", "auto_scale": True}]},
            "node_pools[0]",
        ),
        (
            {
                "node_pools": [
                    {"name": "p", "size": "s-2vcpu-4gb", "count": 1},
                    {"name": "p", "size": "s-2vcpu-4gb", "count": 1},
                ]
            },
            "node_pools",
        ),
        (
            {
                "node_pools": [
                    {
                        "name": "p",
                        "size": "s-2vcpu-4gb",
                        "count": 1,
                        "taints": [{"key": "k", "effect": "Never"}],
                    }
                ]
            },
            "node_pools[0].taints[0].effect",
        ),
    ],
)
def test_each_rule_names_its_field(overrides: dict[str, object], field: str) -> None:
    problems = problems_of(overrides)
    assert field in problems, problems


@pytest.mark.parametrize(
    ("env", "field"),
    [
        ({"WILDSIDE_ENABLE_CNPG": "maybe"}, "WILDSIDE_ENABLE_CNPG"),
        ({"WILDSIDE_ALLOW_DESTROY": "sure"}, "WILDSIDE_ALLOW_DESTROY"),
        ({"WILDSIDE_NODE_POOLS": "[{"}, "WILDSIDE_NODE_POOLS"),
        ({"WILDSIDE_DOMAIN": "UPPER.example.com"}, "cluster.domain"),
    ],
)
def test_bad_environment_values_name_the_variable(env: dict[str, str], field: str) -> None:
    assert field in problems_of(env=env)


def test_all_problems_are_reported_at_once() -> None:
    problems = problems_of(
        {"cluster": {"region": "x"}, "traefik": {"replicas": 99}},
        {"WILDSIDE_CLUSTER_NAME": "Bad/Name", "WILDSIDE_ENABLE_CNPG": "perhaps"},
    )
    assert {"cluster.region", "traefik.replicas", "cluster.name", "WILDSIDE_ENABLE_CNPG"} <= set(
        problems
    )


def test_missing_config_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="WILDSIDE_CONFIG"):
        config(path=tmp_path / "absent.toml")


def test_invalid_toml_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        config(path=write_config(tmp_path, "[cluster\nname="))


def test_cli_exits_non_zero_and_writes_nothing_on_bad_config(tmp_path: Path) -> None:
    outdir = tmp_path / "out"
    gitops = tmp_path / "gitops"
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "WILDSIDE_CLUSTER_NAME": "../escape",
        "WILDSIDE_DOMAIN": "Not A Domain",
        "WILDSIDE_GITOPS_DIR": str(gitops),
    }
    run = run_app(["synth", "--outdir", str(outdir)], env, timeout=120)
    assert run.returncode == 2
    assert "cluster.name" in run.stderr
    assert "cluster.domain" in run.stderr
    assert not outdir.exists()
    assert not gitops.exists()


def test_config_command_prints_resolved_json() -> None:
    run = run_app(
        ["config"], {"PATH": "/usr/bin:/bin", "WILDSIDE_CLUSTER_NAME": "shown"}, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["cluster"]["name"] == "shown"


def test_help_describes_every_command() -> None:
    run = run_app(["--help"], timeout=60)
    assert run.returncode == 0
    for word in ("synth", "render", "config", "WILDSIDE_CONFIG", "exit codes"):
        assert word in run.stdout
