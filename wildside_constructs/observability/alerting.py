"""The alert model: an alert names the metrics it reads, and each gets a guard.

An alert built on a metric that an exporter renamed or stopped exporting never
fires again, and nothing says so (Flux's ``gotk_reconcile_condition`` went that
way). So every :class:`Alert` declares the metrics its expression reads, and
:func:`rule_group` adds one ``MetricAbsent`` alert per metric, firing while
``absent(<metric>)`` is true. A test checks the declared list against the
metric names in each expression, so the guard list cannot fall behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wildside_constructs.model import MANAGED_BY

GUARD_ALERT = "MetricAbsent"
GUARD_FOR = "15m"


@dataclass(frozen=True)
class Alert:
    """One alerting rule, with what an on-call engineer should check first."""

    name: str
    expr: str
    summary: str
    # What to check, in order; rendered as the ``runbook`` annotation.
    runbook: str
    metrics: tuple[str, ...]
    for_: str = "10m"
    # ``critical`` pages where the environment pages; anything else is recorded.
    severity: str = "warning"
    runbook_url: str | None = None
    # Upstream rule this one adapts (repository, path, commit), for credit.
    source: str | None = None

    def rule(self, component: str) -> dict[str, Any]:
        annotations = {"summary": self.summary, "runbook": self.runbook}
        if self.runbook_url:
            annotations["runbook_url"] = self.runbook_url
        if self.source:
            annotations["source"] = self.source
        return {
            "alert": self.name,
            "expr": self.expr,
            "for": self.for_,
            "labels": {"severity": self.severity, "component": component},
            "annotations": annotations,
        }


def guard(metric: str, component: str) -> dict[str, Any]:
    """``absent()`` alert for one metric other alerts rely on."""
    return {
        "alert": GUARD_ALERT,
        "expr": f"absent({metric})",
        "for": GUARD_FOR,
        "labels": {"severity": "warning", "component": component, "metric": metric},
        "annotations": {
            "summary": f"No {metric} series for {GUARD_FOR}: alerts built on it cannot fire.",
            "runbook": (
                f"Open Prometheus Status > Targets and check the {component} monitor's "
                "target is up; if it is, the exporter renamed or dropped the metric "
                "(read the component's release notes) and the alerts need updating."
            ),
        },
    }


def rule_group(name: str, component: str, alerts: list[Alert]) -> dict[str, Any]:
    """A Prometheus rule group: the alerts, then one guard per distinct metric."""
    metrics = sorted({metric for alert in alerts for metric in alert.metrics})
    rules = [alert.rule(component) for alert in alerts]
    rules += [guard(metric, component) for metric in metrics]
    return {"name": name, "rules": rules}


def prometheus_rule(
    name: str, namespace: str, groups: list[dict[str, Any]], part_of: str
) -> dict[str, Any]:
    """The PrometheusRule document the Prometheus Operator loads."""
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": {**MANAGED_BY, "app.kubernetes.io/part-of": part_of},
        },
        "spec": {"groups": groups},
    }
