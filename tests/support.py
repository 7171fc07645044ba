"""Shared helpers: build configurations and render the platform stack in-process.

Rendering in-process reuses the one jsii kernel of the test session, so a
render costs milliseconds once cdktf is loaded.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from app.config.errors import ConfigError
from app.config.load import config_from_raw, load_config
from app.config.model import WildsideConfig
from app.runtime import PROJECT_ROOT, prepare_node
from app.stack_settings import cluster_context, platform_settings
from wildside_constructs.validation.schemas import SchemaStore, schema_dir

EXAMPLE = PROJECT_ROOT / "app" / "config" / "example.toml"
_SCHEMAS = schema_dir()
SCHEMAS: SchemaStore | None = SchemaStore(_SCHEMAS) if _SCHEMAS else None
NO_SCHEMAS_REASON = "upstream schemas not found (../shared/schemas or WILDSIDE_SCHEMA_DIR)"


def write_config(tmp_path: Path, text: str, name: str = "wildside.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def example_raw() -> dict[str, Any]:
    with EXAMPLE.open("rb") as handle:
        return tomllib.load(handle)


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def example_with(
    overrides: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None
) -> WildsideConfig:
    """The example configuration, deep-merged with ``overrides`` (tables as dicts).

    Raises ConfigError exactly as loading a file would.
    """
    raw = _merge(example_raw(), overrides or {})
    return config_from_raw(raw, dict(env or {}), "example+overrides")


def problems_of(
    overrides: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None
) -> dict[str, str]:
    """field -> message of every problem the example with ``overrides`` is refused for."""
    with pytest.raises(ConfigError) as caught:
        example_with(overrides, env)
    return {p.field: p.message for p in caught.value.problems}


def config(env: Mapping[str, str] | None = None, path: Path | None = None) -> WildsideConfig:
    environ = dict(env or {})
    if path is not None:
        environ["WILDSIDE_CONFIG"] = str(path)
    return load_config(environ)


# Set by the session fixture in tests/conftest.py; a folder under pytest's tmp_path.
APP_OUTDIR: Path | None = None


def scratch_app() -> Any:
    """cdktf's ``Testing.app()`` with an outdir under pytest's temporary tree.

    Without one, every call leaves a ``cdktf.outdir.*`` folder in the system
    temporary directory (the session check in tests/conftest.py fails on it).
    """
    from cdktf import Testing

    assert APP_OUTDIR is not None, "tests/conftest.py sets APP_OUTDIR for the session"
    return Testing.app(outdir=str(APP_OUTDIR))


def render_platform(cfg: WildsideConfig, *, schemas: bool = True) -> Any:
    """Build a PlatformStack for ``cfg`` and return it (rendered, validated)."""
    prepare_node()
    from stacks.platform_stack import PlatformStack, PlatformStackSettings

    settings = PlatformStackSettings(
        context=cluster_context(cfg),
        components=platform_settings(cfg),
        schemas=SCHEMAS if schemas else None,
    )
    return PlatformStack(scratch_app(), "platform-stack", settings=settings)


def synth_json(stack: Any) -> dict[str, Any]:
    from cdktf import Testing

    synthesised: dict[str, Any] = json.loads(Testing.synth(stack))
    return synthesised


def all_units(stack: Any) -> list[Any]:
    """Every deploy unit a rendered stack holds, chart sources included."""
    units = [unit for component in stack.components.values() for unit in component.units]
    for child in stack.node.children:
        if hasattr(child, "source_units"):
            units += [*child.source_units, child.unit]
    return units
