"""The push budget is settable by config key, variable and action input."""

from __future__ import annotations

from pathlib import Path

from tests.support import config, example_with
from wildside_constructs.problems import Problem
from wildside_ops.action.inputs import config_overrides, read_inputs


def test_config_key_and_variable_set_the_budget() -> None:
    assert config().gitops.push_budget_seconds == 300.0
    assert example_with({"gitops": {"push_budget_seconds": 30}}).gitops.push_budget_seconds == 30
    assert config({"WILDSIDE_GITOPS_PUSH_BUDGET": "42.5"}).gitops.push_budget_seconds == 42.5


def test_action_input_reaches_the_variable(tmp_path: Path) -> None:
    inputs = read_inputs({"INPUT_GITOPS_PUSH_BUDGET": " 600 "})
    problems: list[Problem] = []
    overrides = config_overrides(inputs, None, tmp_path, {}, problems)
    assert overrides["WILDSIDE_GITOPS_PUSH_BUDGET"] == "600"
    assert config(overrides).gitops.push_budget_seconds == 600.0
    assert problems == []
