"""policy/observability.rego and its Python twin accept the tree and reject mutations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.platform.datastore_helpers import render
from tests.validation.rego_support import combined, deny, doc, load_policies
from wildside_constructs.validation.observability_rules import observability_problems

regopy = pytest.importorskip("regopy", reason="regopy (dev dependency) is not installed")

RULES = "platform/observability/monitors/cloudnative-pg/rules.yaml"
STACK = "platform/observability/stack/helmrelease.yaml"


@pytest.fixture(scope="module")
def tree() -> dict[str, Any]:
    return dict(render({}, schemas=False).documents)


@pytest.fixture(scope="module")
def interpreter() -> Any:
    return load_policies(regopy)


def python_says(path: str, document: dict[str, Any]) -> list[str]:
    return sorted(p.message for p in observability_problems({path: document}))


def test_the_rendered_tree_is_accepted(interpreter: Any, tree: dict[str, Any]) -> None:
    assert deny(interpreter, combined(tree)) == []
    assert observability_problems(tree) == []


def _no_runbook(d: dict[str, Any]) -> None:
    rule = d["spec"]["groups"][0]["rules"][0]
    del rule["annotations"]["runbook"]


def _no_severity(d: dict[str, Any]) -> None:
    del d["spec"]["groups"][0]["rules"][0]["labels"]["severity"]


def _anonymous(d: dict[str, Any]) -> None:
    d["spec"]["values"]["grafana"]["grafana.ini"]["auth.anonymous"]["enabled"] = True


def _literal_password(d: dict[str, Any]) -> None:
    d["spec"]["values"]["grafana"]["adminPassword"] = "hunter2"


NO_RUNBOOK = "alert-runbook: alert CNPGInstanceDown has no runbook or runbook_url annotation"
LITERAL = "grafana-access: adminPassword is a literal; use admin.existingSecret (from Vault)"


@pytest.mark.parametrize(
    ("path", "mutate", "message"),
    [
        (RULES, _no_runbook, NO_RUNBOOK),
        (RULES, _no_severity, "alert-runbook: alert CNPGInstanceDown has no severity label"),
        (STACK, _anonymous, "grafana-access: anonymous access is enabled"),
        (STACK, _literal_password, LITERAL),
    ],
)
def test_a_mutation_is_denied_by_both(
    interpreter: Any,
    tree: dict[str, Any],
    path: str,
    mutate: Callable[[dict[str, Any]], None],
    message: str,
) -> None:
    document = doc(tree, path)
    mutate(document)
    assert deny(interpreter, document) == [
        f"{document['kind']}/{document['metadata']['name']}: {message}"
    ]
    assert python_says(path, document) == [message]
