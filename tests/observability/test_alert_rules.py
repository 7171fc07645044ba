"""Alert rules, run through the real promtool: syntax, firing and silence.

Each component's PrometheusRule is rendered by our code, its ``spec.groups``
extracted into a plain rule file (promtool does not read PrometheusRule
objects), and the scenarios turned into a promtool test file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.observability.promtools import rule_file, run, write_yaml
from tests.observability.scenarios import (
    CERT_MANAGER,
    EXTERNAL_DNS,
    EXTERNAL_SECRETS,
    FLUX,
    TRAEFIK,
    Scenario,
)
from tests.observability.scenarios_datastores import CNPG, VALKEY
from tests.observability.scenarios_messaging import RABBITMQ
from wildside_constructs.observability import RuleOptions, component_rules, prometheus_rule
from wildside_constructs.observability.alerting import GUARD_ALERT
from wildside_constructs.observability.rules import RULED_COMPONENTS

SCENARIOS: dict[str, list[Scenario]] = {
    "flux": FLUX,
    "cert_manager": CERT_MANAGER,
    "vault_eso": EXTERNAL_SECRETS,
    "traefik": TRAEFIK,
    "external_dns": EXTERNAL_DNS,
    "cnpg": CNPG,
    "valkey": VALKEY,
    "rabbitmq": RABBITMQ,
}


def rendered(key: str) -> dict[str, Any]:
    groups = component_rules(key, RuleOptions())
    return prometheus_rule(f"{key}-alerts", "monitoring", groups, "observability")


def rules_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [rule for group in document["spec"]["groups"] for rule in group["rules"]]


def expected(rules: list[dict[str, Any]], alertname: str, extra: dict[str, str]) -> dict[str, Any]:
    """promtool compares labels and annotations exactly; ours are static text."""
    if alertname == GUARD_ALERT:
        rule = next(r for r in rules if r["labels"].get("metric") == extra["metric"])
    else:
        rule = next(r for r in rules if r["alert"] == alertname)
    return {"exp_labels": {**rule["labels"], **extra}, "exp_annotations": rule["annotations"]}


def promtool_tests(rules: list[dict[str, Any]], scenarios: list[Scenario]) -> dict[str, Any]:
    tests = []
    for scenario in scenarios:
        checks = [
            {
                "eval_time": at,
                "alertname": name,
                "exp_alerts": [expected(rules, name, labels) for labels in fire],
            }
            for at, name, fire in scenario.checks
        ]
        tests.append(
            {
                "name": scenario.name,
                "interval": scenario.interval,
                "input_series": [{"series": s, "values": v} for s, v in scenario.series.items()],
                "alert_rule_test": checks,
            }
        )
    return {"rule_files": ["rules.yaml"], "evaluation_interval": "1m", "tests": tests}


def promtool_run(tmp_path: Path, key: str, scenarios: list[Scenario]) -> tuple[int, str]:
    document = rendered(key)
    write_yaml(tmp_path / "rules.yaml", rule_file(document))
    write_yaml(tmp_path / "tests.yaml", promtool_tests(rules_of(document), scenarios))
    done = run("promtool", "test", "rules", "tests.yaml", cwd=tmp_path)
    return done.returncode, done.stdout + done.stderr


@pytest.mark.parametrize("key", RULED_COMPONENTS)
def test_promtool_checks_the_rendered_rules(key: str, tmp_path: Path) -> None:
    write_yaml(tmp_path / "rules.yaml", rule_file(rendered(key)))
    done = run("promtool", "check", "rules", "rules.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout


@pytest.mark.parametrize("key", RULED_COMPONENTS)
def test_each_alert_fires_on_failure_and_stays_silent_when_healthy(
    key: str, tmp_path: Path
) -> None:
    code, output = promtool_run(tmp_path, key, SCENARIOS[key])
    assert code == 0, output


def test_promtool_fails_when_an_expected_alert_does_not_fire(tmp_path: Path) -> None:
    # The harness is only worth something if a wrong expectation fails it.
    healthy = FLUX[0]
    wrong = Scenario(
        "wrong",
        healthy.series,
        [("150m", "FluxReconciliationFailing", [{"name": "traefik"}])],
    )
    code, output = promtool_run(tmp_path, "flux", [wrong])
    assert code != 0
    assert "FluxReconciliationFailing" in output


@pytest.mark.parametrize("key", RULED_COMPONENTS)
def test_every_alert_has_a_firing_and_a_silent_scenario(key: str) -> None:
    names = {r["alert"] for r in rules_of(rendered(key))}
    fired = {name for s in SCENARIOS[key] for _, name, fire in s.checks if fire}
    silent = {name for s in SCENARIOS[key] for _, name, fire in s.checks if not fire}
    assert names <= fired, f"never shown firing: {sorted(names - fired)}"
    assert names <= silent, f"never shown silent: {sorted(names - silent)}"


PROMQL_WORDS = {
    "sum", "max", "min", "avg", "count", "rate", "increase", "time", "vector", "absent",
    "and", "or", "unless", "by", "on", "without", "ignoring", "bool", "offset", "max_over_time",
}  # fmt: skip


def metric_names(expr: str) -> set[str]:
    """Metric names an expression reads: what is left once strings, label
    matchers, grouping clauses, ranges, functions and numbers are removed."""
    text = re.sub(r'"[^"]*"', "", expr)
    text = re.sub(r"\{[^}]*\}", "", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    text = re.sub(r"\[[^\]]*\]", "", text)
    words = set(re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*", text))
    return {w for w in words if w not in PROMQL_WORDS}


@pytest.mark.parametrize("key", RULED_COMPONENTS)
def test_every_metric_an_alert_reads_has_an_absent_guard(key: str) -> None:
    rules = rules_of(rendered(key))
    guarded = {r["labels"]["metric"] for r in rules if r["alert"] == GUARD_ALERT}
    for rule in rules:
        if rule["alert"] == GUARD_ALERT:
            continue
        read = metric_names(rule["expr"])
        assert read, rule["alert"]
        assert read <= guarded, f"{rule['alert']} reads unguarded {sorted(read - guarded)}"


@pytest.mark.parametrize("key", RULED_COMPONENTS)
def test_every_alert_says_what_to_check_and_how_loud(key: str) -> None:
    for rule in rules_of(rendered(key)):
        assert len(rule["annotations"]["runbook"]) > 40, rule["alert"]
        assert rule["labels"]["severity"] in {"critical", "warning"}, rule["alert"]


def test_backup_age_alert_only_when_backups_are_on() -> None:
    names = {
        r["alert"]
        for g in component_rules("cnpg", RuleOptions(cnpg_backup_max_age_hours=None))
        for r in g["rules"]
    }
    assert "CNPGLastBackupTooOld" not in names
    assert "CNPGWalArchivingFailing" in names
