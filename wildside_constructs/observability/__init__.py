"""Observability building blocks: alert rules, monitors and dashboards.

``alerting`` holds the rule model (every alert carries a runbook line and an
``absent()`` guard per metric it reads); ``rules_platform`` and
``rules_datastores`` the alerts per component; :func:`component_rules` picks
them by component key.
"""

from wildside_constructs.observability.alerting import Alert, prometheus_rule, rule_group
from wildside_constructs.observability.rules import RuleOptions, component_rules

__all__ = ["Alert", "RuleOptions", "component_rules", "prometheus_rule", "rule_group"]
