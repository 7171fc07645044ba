"""Every HelmRelease's values pass the pinned chart's own values schema.

The schemas are the charts' ``values.schema.json`` at the pinned tags
(tests/data/chart-values/README.md names each source and commit). Helm would
check the same schema at install time, but most charts allow unknown keys
there, and Helm then ignores them silently; so this test is stricter: a key
the schema does not describe fails too. Values are checked as the cluster sees
them, after each cluster's Flux substitution.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator
from jsonschema.validators import validator_for

from tests.support import config, example_with, render_platform
from wildside_constructs.validation.tree import VARIABLE, substitute
from wildside_constructs.yamlout import load

DATA = Path(__file__).resolve().parents[1] / "data" / "chart-values"
SCHEMAS = {
    ("traefik", "37.4.0"): "traefik-37.4.0.schema.json",
    ("cert-manager", "v1.19.2"): "cert-manager-v1.19.2.schema.json",
    ("external-dns", "1.19.0"): "external-dns-1.19.0.schema.json",
    ("external-secrets", "1.1.1"): "external-secrets-1.1.1.schema.json",
    ("cloudnative-pg", "0.26.1"): "cloudnative-pg-0.26.1.schema.json",
    ("plugin-barman-cloud", "0.7.0"): "plugin-barman-cloud-0.7.0.schema.json",
}
# Keys a chart's templates read that its generated schema leaves out (values.yaml
# has them only as comments): external-secrets 1.1.1 templates/poddisruptionbudget.yaml,
# cert-controller-poddisruptionbudget.yaml and webhook-poddisruptionbudget.yaml.
TEMPLATE_KEYS = {
    ("external-secrets", "1.1.1"): {
        "values.podDisruptionBudget.maxUnavailable",
        "values.certController.podDisruptionBudget.maxUnavailable",
        "values.webhook.podDisruptionBudget.maxUnavailable",
    }
}
# No schema and no values.yaml upstream (see the README): no key is known.
NO_VALUES = {("valkey-operator", "v0.0.60-chart")}
# Charts whose values schema (or values.yaml keys) is not vendored here yet:
# their values are checked only by the chart at install time. Each is a gap to
# close by adding its file to tests/data/chart-values/ with its source commit.
NOT_VENDORED = {("kube-prometheus-stack", "88.3.0"), ("opentelemetry-operator", "0.122.0")}


def _resolve(schema: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in schema and str(schema["$ref"]).startswith("#/"):
        node: Any = root
        for part in str(schema["$ref"])[2:].split("/"):
            node = node[part]
        schema = {**node, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def _branches(schema: Mapping[str, Any], root: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    schema = _resolve(schema, root)
    found = [schema]
    for key in ("allOf", "anyOf", "oneOf"):
        for option in schema.get(key, []):
            found.extend(_branches(option, root))
    return found


def unknown_keys(
    value: Any, schema: Mapping[str, Any], root: Mapping[str, Any], at: str
) -> list[str]:
    """Key paths in ``value`` that ``schema`` does not describe."""
    if not isinstance(value, dict):
        return []
    branches = _branches(schema, root)
    properties: dict[str, Any] = {}
    patterns: dict[str, Any] = {}
    extra: Any = None
    for branch in branches:
        properties.update(branch.get("properties", {}))
        patterns.update(branch.get("patternProperties", {}))
        if isinstance(branch.get("additionalProperties"), dict):
            extra = branch["additionalProperties"]
    if not properties and not patterns and extra is None:
        return []  # a free-form object (annotations, labels, podSpec pieces)
    problems: list[str] = []
    for key, item in value.items():
        where = f"{at}.{key}"
        matched = [s for p, s in patterns.items() if re.search(p, key)]
        if key in properties:
            problems += unknown_keys(item, properties[key], root, where)
        elif matched:
            problems += unknown_keys(item, matched[0], root, where)
        elif extra is not None:
            problems += unknown_keys(item, extra, root, where)
        else:
            problems.append(where)
    return problems


def values_problems(chart: str, version: str, values: Mapping[str, Any]) -> list[str]:
    if (chart, version) in NO_VALUES:
        return [f"values.{key}: the chart has no values file" for key in values]
    name = SCHEMAS.get((chart, version))
    if name is None:
        return [f"{chart} {version}: no values schema in {DATA}; add it (see the README)"]
    schema = json.loads((DATA / name).read_text(encoding="utf-8"))
    # cloudnative-pg's generator writes the undated "http://json-schema.org/schema#";
    # its keywords are draft-07's.
    undated = schema.get("$schema") == "http://json-schema.org/schema#"
    validator = (Draft7Validator if undated else validator_for(schema))(schema)
    problems = [
        f"values.{'.'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(values)
    ]
    allowed = TEMPLATE_KEYS.get((chart, version), set())
    problems += [
        f"{path}: not a key of {chart} {version}"
        for path in unknown_keys(values, schema, schema, "values")
        if path not in allowed
    ]
    return problems


def _releases(cfg: Any) -> dict[str, dict[str, Any]]:
    """Each HelmRelease as the cluster sees it, after Flux substitution."""
    stack = render_platform(cfg, schemas=False)
    variables = {
        unit.folder: unit.variables
        for component in stack.components.values()
        for unit in component.units
    }
    found = {}
    for path, text in stack.rendered.items():
        document = load(text)
        if document.get("kind") != "HelmRelease":
            continue
        folder_vars = variables.get(path.rsplit("/", 1)[0], {})
        assert set(VARIABLE.findall(text)) <= set(folder_vars), path
        found[path] = load(substitute(text, folder_vars))
    return found


def _chart(release: Mapping[str, Any]) -> tuple[str, str]:
    spec = release["spec"]["chart"]["spec"]
    return spec["chart"], spec["version"]


CONFIGS = {
    "default": config,
    "backups": lambda: example_with(
        {
            "cnpg": {
                "backup": {
                    "enabled": True,
                    "bucket": "wildside-backups",
                    "endpoint": "https://nyc3.digitaloceanspaces.com",
                }
            }
        }
    ),
    "without-vault": lambda: example_with(
        {
            "components": {"vault_eso": False, "observability": False},
            "cnpg": {"instances": 1},
            "traefik": {"replicas": 3},
        }
    ),
}


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_every_release_passes_its_charts_values_schema(name: str) -> None:
    releases = _releases(CONFIGS[name]())
    charts = {_chart(release) for release in releases.values()}
    assert charts <= set(SCHEMAS) | NO_VALUES | NOT_VENDORED, "a chart is not covered: add it"
    if name == "backups":  # every component on, and the backup plugin
        assert charts - NOT_VENDORED == set(SCHEMAS) | NO_VALUES
    for path, release in sorted(releases.items()):
        if _chart(release) in NOT_VENDORED:
            continue
        values = release["spec"].get("values", {})
        assert values_problems(*_chart(release), values) == [], path


def _traefik() -> dict[str, Any]:
    releases = _releases(config())
    return next(r for r in releases.values() if _chart(r)[0] == "traefik")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # Not a key of chart 37.4.0: Helm would ignore it without a word.
        ({"metrics": {"prometheus": {"enabled": False}}}, "values.metrics.prometheus.enabled"),
        ({"deploymentt": {"replicas": 2}}, "values.deploymentt"),
        ({"deployment": {"replicas": "two"}}, "values.deployment.replicas"),
    ],
)
def test_an_unknown_key_or_a_wrong_type_fails(change: dict[str, Any], expected: str) -> None:
    release = _traefik()
    values = {**copy.deepcopy(release["spec"]["values"]), **change}
    problems = values_problems(*_chart(release), values)
    assert any(problem.startswith(expected) for problem in problems), problems


def test_a_valkey_value_fails_without_a_values_file() -> None:
    assert values_problems("valkey-operator", "v0.0.60-chart", {"replicas": 2}) == [
        "values.replicas: the chart has no values file"
    ]
