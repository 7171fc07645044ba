"""Every rendered document validates against its upstream schema."""

from __future__ import annotations

import pytest

from tests.support import NO_SCHEMAS_REASON, SCHEMAS, config, render_platform
from wildside_constructs.validation.tree import schema_problems
from wildside_constructs.yamlout import load


@pytest.mark.skipif(SCHEMAS is None, reason=NO_SCHEMAS_REASON)
def test_every_document_of_the_default_tree_is_schema_valid() -> None:
    assert SCHEMAS is not None
    stack = render_platform(config(), schemas=False)
    units = [unit for component in stack.components.values() for unit in component.units]
    documents = {path: load(text) for path, text in stack.rendered.items()}
    assert schema_problems(documents, units + _source_units(stack), SCHEMAS) == []
    kinds = {f"{d['apiVersion']}/{d['kind']}" for d in documents.values()}
    assert "helm.toolkit.fluxcd.io/v2/HelmRelease" in kinds
    assert "kustomize.toolkit.fluxcd.io/v1/Kustomization" in kinds


@pytest.mark.skipif(SCHEMAS is None, reason=NO_SCHEMAS_REASON)
def test_a_misspelt_field_fails_strict_validation() -> None:
    assert SCHEMAS is not None
    release = load(render_platform(config()).rendered["platform/traefik/helmrelease.yaml"])
    release["spec"]["intervall"] = "1h"
    (problem,) = SCHEMAS.problems("platform/traefik/helmrelease.yaml", release)
    assert "intervall" in problem.message


@pytest.mark.skipif(SCHEMAS is None, reason=NO_SCHEMAS_REASON)
def test_unknown_kind_is_reported() -> None:
    assert SCHEMAS is not None
    (problem,) = SCHEMAS.problems("x.yaml", {"apiVersion": "example.com/v1", "kind": "Widget"})
    assert "no upstream schema" in problem.message


def _source_units(stack: object) -> list[object]:
    for child in stack.node.children:  # type: ignore[attr-defined]
        if hasattr(child, "source_units"):
            return [*child.source_units, child.unit]
    return []
