"""Checks that a hand-written list agrees with the component registry.

``app/config/example.toml`` and the composite action's ``action.yml`` are
written by hand (they document the switches for users), so each gets a check
that names what is missing or extra. The registry tests run them on this
checkout; the adding-a-component test runs them on a copy with a new entry.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Iterable
from pathlib import Path

import yaml


def example_problems(
    path: Path, keys: Iterable[str], off_by_default: Collection[str] = ()
) -> list[str]:
    """``[components]`` lists every key with its default, and each key has its own table."""
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    wanted = list(keys)
    switches = raw.get("components", {})
    problems = [
        f"[components] has no `{k} = {'false' if k in off_by_default else 'true'}`"
        for k in wanted
        if switches.get(k) is not (k not in off_by_default)
    ]
    problems += [
        f"[components] lists {k}, which is not registered" for k in switches if k not in wanted
    ]
    problems += [f"no [{key}] table documents its settings" for key in wanted if key not in raw]
    return problems


def action_problems(
    path: Path, keys: Iterable[str], off_by_default: Collection[str] = ()
) -> list[str]:
    """One ``enable_<key>`` input per key, with the key's default, passed to the prepare step."""
    action = yaml.safe_load(path.read_text(encoding="utf-8"))
    wanted = {f"enable_{key}" for key in keys}
    inputs = action["inputs"]
    declared = {name for name in inputs if name.startswith("enable_")}
    problems = [f"input {name} is missing" for name in sorted(wanted - declared)]
    problems += [
        f"input {name} is not a registered component" for name in sorted(declared - wanted)
    ]
    for name in sorted(wanted & declared):
        default = "false" if name.removeprefix("enable_") in off_by_default else "true"
        if inputs[name].get("default") != default or not inputs[name].get("description"):
            problems.append(f'input {name} needs a description and default "{default}"')
    (prepare,) = [step for step in action["runs"]["steps"] if step.get("id") == "prepare"]
    env = prepare.get("env") or {}
    for name in sorted(wanted):
        variable = f"INPUT_{name.upper()}"
        if env.get(variable) != f"${{{{ inputs.{name} }}}}":
            problems.append(f"step prepare does not pass {variable}: ${{{{ inputs.{name} }}}}")
    return problems
