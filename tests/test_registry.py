"""The component registry is the one list: everything else derives from it or agrees."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from app.config.load import BOOLEAN_ENV, EXAMPLE_CONFIG
from app.config.model import Components
from tests.action.runner_sim import ACTION_FILE
from tests.registry_checks import action_problems, example_problems
from tests.support import example_with, render_platform
from wildside_constructs.platform.component import PlatformComponent
from wildside_constructs.registry import BY_KEY, COMPONENTS, spec_of
from wildside_ops.action.inputs import FIELD_INPUTS, SWITCH_INPUTS

KEYS = [spec.key for spec in COMPONENTS]
AGE_RECIPIENT = "age1872xyafd3ejyku9en0375fq2a432pyqmm6pz6e4e640z248zeu3sr99kn9"
OFF = {spec.key for spec in COMPONENTS if not spec.enabled_by_default}


def test_the_example_config_agrees_with_the_registry() -> None:
    assert example_problems(EXAMPLE_CONFIG, KEYS, OFF) == []


def test_the_actions_enable_inputs_agree_with_the_registry() -> None:
    assert action_problems(ACTION_FILE, KEYS, OFF) == []


def test_the_checks_fail_when_a_hand_written_list_disagrees(tmp_path: Path) -> None:
    example = tmp_path / "example.toml"
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8")
    example.write_text(text.replace("valkey = true\n", "redis = true\n"), encoding="utf-8")
    assert example_problems(example, KEYS, OFF) == [
        "[components] has no `valkey = true`",
        "[components] lists redis, which is not registered",
    ]
    action = tmp_path / "action.yml"
    text = ACTION_FILE.read_text(encoding="utf-8")
    action.write_text(text.replace("INPUT_ENABLE_CNPG", "INPUT_ENABLE_PG"), encoding="utf-8")
    assert action_problems(action, KEYS, OFF) == [
        "step prepare does not pass INPUT_ENABLE_CNPG: ${{ inputs.enable_cnpg }}"
    ]


def test_switches_environment_and_inputs_derive_from_the_registry() -> None:
    assert [f.name for f in dataclasses.fields(Components)] == KEYS  # type: ignore[arg-type]
    assert Components().enabled() == tuple(k for k in KEYS if k not in OFF)
    for spec in COMPONENTS:
        assert BOOLEAN_ENV[spec.env] == ("components", spec.key)
        assert SWITCH_INPUTS[f"enable_{spec.key}"] == f"WILDSIDE_ENABLE_{spec.key.upper()}"
        assert FIELD_INPUTS[f"components.{spec.key}"] == f"enable_{spec.key}"


def test_every_construct_renders_only_under_its_registered_folder() -> None:
    every = {
        "components": {key: True for key in KEYS},
        "sops": {"age_recipients": [AGE_RECIPIENT]},
    }
    stack = render_platform(example_with(every), schemas=False)
    assert list(stack.components) == KEYS
    for key, component in stack.components.items():
        spec = BY_KEY[key]
        assert isinstance(component, PlatformComponent)
        assert spec_of(type(component)) is spec
        assert component.folder == f"platform/{spec.folder}"
        for unit in component.units:
            # Content whose shape differs between clusters lives in the cluster's folder.
            assert unit.folder == spec.platform_folder or unit.folder.startswith(
                (f"{spec.platform_folder}/", "clusters/dev/")
            ), unit.folder
            # The cluster's Flux Kustomization carries the component's folder as part-of.
            kustomization = stack.tree.kustomizations[f"clusters/dev/{unit.name}.yaml"]
            labels = kustomization["metadata"]["labels"]
            assert labels["app.kubernetes.io/part-of"] == spec.folder


def test_an_unregistered_construct_is_refused_with_the_fix() -> None:
    class Stray(PlatformComponent):
        pass

    with pytest.raises(LookupError, match=r"wildside_constructs/registry\.py"):
        spec_of(Stray)
