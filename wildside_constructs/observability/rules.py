"""Which rule groups each component gets, from its settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wildside_constructs.observability.alerting import Alert, rule_group
from wildside_constructs.observability.rules_datastores import cnpg_alerts, valkey_alerts
from wildside_constructs.observability.rules_messaging import rabbitmq_alerts
from wildside_constructs.observability.rules_platform import (
    cert_manager_alerts,
    external_dns_alerts,
    external_secrets_alerts,
    flux_alerts,
    traefik_alerts,
)
from wildside_constructs.settings.rabbitmq import OPERATOR_NAMESPACE


@dataclass(frozen=True)
class RuleOptions:
    """What the datastore and messaging alerts need to know about their clusters."""

    cnpg_namespace: str = "databases"
    cnpg_cluster: str = "wildside-pg"
    # None: backups are off, so no backup-age alert.
    cnpg_backup_max_age_hours: int | None = 26
    valkey_namespace: str = "valkey"
    valkey_name: str = "wildside-valkey"
    rabbitmq_namespace: str = "messaging"
    rabbitmq_name: str = "rabbitmq"
    rabbitmq_operator_namespace: str = OPERATOR_NAMESPACE


def _cnpg(options: RuleOptions) -> list[Alert]:
    return cnpg_alerts(
        options.cnpg_namespace,
        options.cnpg_cluster,
        backup_max_age_hours=options.cnpg_backup_max_age_hours,
    )


# Component key ("flux" for Flux itself) -> (group and component label, alerts).
_RULES: dict[str, tuple[str, Callable[[RuleOptions], list[Alert]]]] = {
    "flux": ("flux", lambda _: flux_alerts()),
    "cert_manager": ("cert-manager", lambda _: cert_manager_alerts()),
    "vault_eso": ("external-secrets", lambda _: external_secrets_alerts()),
    "traefik": ("traefik", lambda _: traefik_alerts()),
    "external_dns": ("external-dns", lambda _: external_dns_alerts()),
    "cnpg": ("cloudnative-pg", _cnpg),
    "valkey": ("valkey", lambda o: valkey_alerts(o.valkey_namespace, o.valkey_name)),
    "rabbitmq": (
        "rabbitmq",
        lambda o: rabbitmq_alerts(
            o.rabbitmq_namespace, o.rabbitmq_name, o.rabbitmq_operator_namespace
        ),
    ),
}

RULED_COMPONENTS = tuple(_RULES)


def component_rules(key: str, options: RuleOptions) -> list[dict[str, Any]]:
    """Rule groups for one component key; none for a key without alerts."""
    if key not in _RULES:
        return []
    label, alerts = _RULES[key]
    return [rule_group(label, label, alerts(options))]
