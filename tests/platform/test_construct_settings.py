"""Constructs check their own settings: built directly, they refuse what configuration refuses.

A library user (or a test) who builds a component without the configuration
loader gets the same field-and-fix problems, raised before anything renders.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from app.config.errors import ConfigError
from app.stack_settings import cluster_context
from tests.support import example_with, scratch_app
from wildside_constructs.registry import BY_KEY, COMPONENTS
from wildside_constructs.validation.errors import RenderError, SettingsError

# One out-of-range or malformed field per component.
BAD = {
    "traefik": {"replicas": 0},
    "cert_manager": {"replicas": 0},
    "external_dns": {"interval": "soon"},
    "vault_eso": {"address": "http://vault"},
    "cnpg": {"instances": 0},
    "valkey": {"nodes": 0},
    "rabbitmq": {"replicas": 0},
    "sops": {"age_recipients": ("age1nope",)},
    "observability": {"backup_max_age_hours": 0},
    "apps": {"max_previews": 0},
}


def build_alone(key: str, settings: Any, enabled: tuple[str, ...] | None = None) -> Any:
    from cdktf import TerraformStack

    context = cluster_context(example_with())
    if enabled is not None:
        context = dataclasses.replace(context, enabled=enabled)
    stack = TerraformStack(scratch_app(), "alone")
    return BY_KEY[key].construct_class()(stack, key, context=context, settings=settings)


def config_problems(overrides: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        example_with(overrides)
    return [str(problem) for problem in caught.value.problems]


def test_every_component_has_a_bad_case() -> None:
    assert set(BAD) == {spec.key for spec in COMPONENTS}


@pytest.mark.parametrize("key", list(BAD))
def test_a_construct_refuses_bad_settings_in_the_loaders_words(key: str) -> None:
    defaults = BY_KEY[key].settings()
    bad = dataclasses.replace(defaults, **BAD[key])
    with pytest.raises(SettingsError) as caught:
        build_alone(key, bad)
    switched_on = {key: BAD[key], "components": {key: True}}
    assert [str(p) for p in caught.value.problems] == config_problems(switched_on)
    # The CLI reports every RenderError as bad input (exit code 2).
    assert isinstance(caught.value, RenderError)


def test_a_construct_refuses_settings_that_need_a_component_the_cluster_lacks() -> None:
    http01 = dataclasses.replace(BY_KEY["cert_manager"].settings(), solver="http01")
    with pytest.raises(SettingsError) as caught:
        build_alone("cert_manager", http01, enabled=("cert_manager",))
    expected = config_problems(
        {
            "cert_manager": {"solver": "http01"},
            "components": {"traefik": False, "observability": False},
        }
    )
    assert [str(p) for p in caught.value.problems] == expected
    assert "components.traefik: is off, but cert_manager needs it" in str(caught.value)


def test_a_construct_refuses_another_components_settings() -> None:
    with pytest.raises(SettingsError, match="traefik: expected TraefikSettings settings, got"):
        build_alone("traefik", BY_KEY["valkey"].settings())
