"""Environments: ``sandbox``, ``staging`` and ``production``, each with its own defaults.

``cluster.environment`` picks a table of ``environments.toml`` whose values fill
in whatever the configuration leaves unset (the configuration always wins), so
a production cluster is highly available and a sandbox cheap without either
config spelling it out. Tables for components that are not registered are
ignored, so the presets can name a component before every cluster has it.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from app.config.errors import Problem
from wildside_constructs.promotion import ENVIRONMENTS
from wildside_constructs.registry import BY_KEY

__all__ = ["ENVIRONMENTS", "PRESETS_FILE", "apply_preset", "presets"]

PRESETS_FILE = Path(__file__).with_name("environments.toml")


@cache
def presets() -> dict[str, dict[str, Any]]:
    with PRESETS_FILE.open("rb") as handle:
        loaded: dict[str, dict[str, Any]] = tomllib.load(handle)
    return loaded


def _under(defaults: dict[str, Any], given: Any) -> Any:
    """``given`` with ``defaults`` filling the keys it lacks, table by table."""
    if not isinstance(given, dict):
        return given
    merged = dict(given)
    for key, value in defaults.items():
        if key not in merged:
            merged[key] = value
        elif isinstance(value, dict):
            merged[key] = _under(value, merged[key])
    return merged


def apply_preset(raw: dict[str, Any], problems: list[Problem]) -> dict[str, Any]:
    """``raw`` with its environment's defaults underneath; an unknown name is a problem."""
    cluster = raw.get("cluster")
    environment = cluster.get("environment") if isinstance(cluster, dict) else None
    if not isinstance(environment, str):
        return raw  # reported by the cluster checks (missing or mistyped)
    preset = presets().get(environment)
    if preset is None:
        choices = ", ".join(ENVIRONMENTS)
        problems.append(
            Problem(
                "cluster.environment",
                f"{environment!r} is not an environment; use one of {choices} "
                "(each brings its own defaults: docs/environments.md)",
            )
        )
        return raw
    merged = dict(raw)
    for table, values in preset.items():
        if table == "node_pool":
            pools = raw.get("node_pools")
            if isinstance(pools, list):
                merged["node_pools"] = [_pool(values, pool) for pool in pools]
        elif table in BY_KEY or table in ("cluster", "gitops", "state", "flux"):
            merged[table] = _under(values, raw.get(table, {}))
    return merged


def _pool(defaults: dict[str, Any], pool: Any) -> Any:
    # An autoscaled pool takes its size from min/max, not a fixed count.
    if isinstance(pool, dict) and pool.get("auto_scale"):
        return pool
    return _under(defaults, pool)
