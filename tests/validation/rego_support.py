"""Evaluating policy/*.rego with regopy the two ways conftest calls it.

Per-document runs get one manifest as ``input``; ``conftest test --combine``
gets one array of ``{path, contents}`` (``combined``).
"""

from __future__ import annotations

import copy
from typing import Any

from app.runtime import PROJECT_ROOT

POLICY = PROJECT_ROOT / "policy"


def load_policies(regopy: Any) -> Any:
    """An interpreter holding every policy file, as ``conftest --policy policy`` loads them."""
    rego = regopy.Interpreter()
    for policy in sorted(POLICY.glob("*.rego")):
        rego.add_module(policy.name, policy.read_text(encoding="utf-8"))
    return rego


def deny(interpreter: Any, value: Any) -> list[str]:
    interpreter.set_input(value)
    output = interpreter.query("data.main.deny")
    assert output.ok(), str(output)
    denied: list[str] = output.results[0].expressions[0]
    return sorted(denied)


def combined(files: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"path": path, "contents": files[path]} for path in sorted(files)]


def doc(tree: dict[str, Any], path: str) -> dict[str, Any]:
    """A copy of one rendered document, to mutate for a rejected case."""
    document: dict[str, Any] = copy.deepcopy(tree[path])
    return document
