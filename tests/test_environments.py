"""Environments: each brings its defaults, configuration wins, unknown names are refused."""

from __future__ import annotations

import dataclasses

import pytest

from app.config.environments import ENVIRONMENTS, presets
from app.config.errors import ConfigError
from app.config.model import ClusterSettings, NodePool
from app.runtime import PROJECT_ROOT
from tests.support import config, example_with, render_platform
from wildside_constructs.registry import BY_KEY

EXAMPLES = PROJECT_ROOT / "app" / "config" / "examples"


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_each_environment_ships_an_example_that_loads(environment: str) -> None:
    loaded = config(path=EXAMPLES / f"{environment}.toml")
    assert loaded.cluster.environment == environment


def test_the_environments_differ_where_a_platform_engineer_expects() -> None:
    sandbox, staging, production = (config(path=EXAMPLES / f"{env}.toml") for env in ENVIRONMENTS)
    assert production.cluster.ha and not sandbox.cluster.ha
    assert production.node_pools[0].count == 3
    assert sandbox.settings["cnpg"].instances == 1
    assert staging.settings["cnpg"].instances == 2
    assert production.settings["cnpg"].instances == 3
    assert sandbox.settings["cert_manager"].default_issuer == "staging"
    assert production.settings["cert_manager"].default_issuer == "production"


def test_the_choice_changes_the_rendered_tree() -> None:
    """Once the environment named nothing; now it sizes the platform."""
    trees = [
        render_platform(config(path=EXAMPLES / f"{env}.toml"), schemas=False).rendered
        for env in ("sandbox", "production")
    ]
    vars_sandbox = trees[0]["clusters/sandbox/cnpg-cluster.yaml"]
    vars_production = trees[1]["clusters/production/cnpg-cluster.yaml"]
    assert "cnpg_instances: '1'" in vars_sandbox
    assert "cnpg_instances: '3'" in vars_production


def test_configuration_always_wins_over_the_environment() -> None:
    chosen = example_with({"cluster": {"environment": "production"}, "cnpg": {"instances": 2}})
    assert chosen.settings["cnpg"].instances == 2
    assert chosen.cluster.ha is False  # example.toml sets ha = false explicitly


@pytest.mark.parametrize("name", ["dev", "prod", "Production", "qa"])
def test_unknown_environments_are_refused_naming_the_choices(name: str) -> None:
    with pytest.raises(ConfigError) as caught:
        example_with({"cluster": {"environment": name}})
    messages = {p.field: p.message for p in caught.value.problems}
    assert "sandbox, staging, production" in messages["cluster.environment"]


def test_the_docs_table_matches_the_presets() -> None:
    text = (PROJECT_ROOT / "docs" / "environments.md").read_text(encoding="utf-8")
    rows = {
        cells[0]: cells[1:]
        for line in text.splitlines()
        if line.startswith("| `") and (cells := [c.strip(" `") for c in line.strip("|").split("|")])
    }
    for index, environment in enumerate(ENVIRONMENTS):
        for table, values in presets()[environment].items():
            for key, value in values.items():
                shown = rows[f"{table}.{key}"][index]
                expected = str(value).lower() if isinstance(value, bool) else str(value)
                assert shown == expected, (environment, table, key)


def test_presets_name_only_real_settings() -> None:
    """Every preset key is a field of its table, so a typo cannot silently do nothing."""
    tables: dict[str, type] = {"cluster": ClusterSettings, "node_pool": NodePool}
    tables.update({key: spec.settings for key, spec in BY_KEY.items()})
    for environment in ENVIRONMENTS:
        for table, values in presets()[environment].items():
            if table not in tables:
                continue  # a component this build does not register
            fields = {f.name for f in dataclasses.fields(tables[table])}
            assert set(values) <= fields, (environment, table, set(values) - fields)
