"""Observability rules, also in policy/observability.rego.

An alert without a severity cannot be routed and one without a runbook
leaves the on-call engineer guessing; Grafana must not be anonymous, nor
keep its admin password in Git.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wildside_constructs.problems import Problem

Files = Mapping[str, Any]


def _alert_problems(path: str, document: Mapping[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    for group in document.get("spec", {}).get("groups", []) or []:
        for rule in group.get("rules", []) or []:
            name = rule.get("alert")
            if not name:
                continue
            if not (rule.get("labels") or {}).get("severity"):
                problems.append(Problem(path, f"alert-runbook: alert {name} has no severity label"))
            annotations = rule.get("annotations") or {}
            if not annotations.get("runbook") and not annotations.get("runbook_url"):
                problems.append(
                    Problem(
                        path,
                        f"alert-runbook: alert {name} has no runbook or runbook_url annotation",
                    )
                )
    return problems


def _grafana_problems(path: str, grafana: Mapping[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    anonymous = (grafana.get("grafana.ini") or {}).get("auth.anonymous") or {}
    if anonymous.get("enabled") is True:
        problems.append(Problem(path, "grafana-access: anonymous access is enabled"))
    if grafana.get("adminPassword"):
        problems.append(
            Problem(
                path,
                "grafana-access: adminPassword is a literal; use admin.existingSecret (from Vault)",
            )
        )
    if not (grafana.get("admin") or {}).get("existingSecret"):
        problems.append(Problem(path, "grafana-access: grafana.admin.existingSecret is not set"))
    return problems


def observability_problems(files: Files) -> list[Problem]:
    problems: list[Problem] = []
    for path, document in sorted(files.items()):
        if not isinstance(document, dict):
            continue
        api, kind = str(document.get("apiVersion", "")), document.get("kind")
        if api.startswith("monitoring.coreos.com/") and kind == "PrometheusRule":
            problems += _alert_problems(path, document)
        if api.startswith("helm.toolkit.fluxcd.io/") and kind == "HelmRelease":
            grafana = (document.get("spec") or {}).get("values", {}).get("grafana")
            if isinstance(grafana, dict):
                problems += _grafana_problems(path, grafana)
    return problems
