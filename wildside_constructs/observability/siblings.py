"""What the monitors and rules need from the components they watch.

Each component is read as a sibling construct (its typed attributes and
contract), so monitors and rules follow the names it actually renders; a
component that is off, or the observability construct built alone, falls
back to that component's defaults. Names that differ per cluster travel as
Flux substitutions (``${cnpg_cluster_name}``, ``${valkey_name}``,
``${rabbitmq_name}``), so ``platform/`` stays the same for every cluster.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wildside_constructs.model import FLUX_NAMESPACE
from wildside_constructs.observability.monitors import Target, targets
from wildside_constructs.observability.rules import RuleOptions
from wildside_constructs.settings.cnpg import CnpgSettings
from wildside_constructs.settings.rabbitmq import RABBITMQ_NAMESPACE, RabbitmqSettings
from wildside_constructs.settings.valkey import ValkeySettings


def _contract(component: Any, attribute: str, field: str, default: Any) -> Any:
    return getattr(getattr(component, attribute, None), field, default)


def monitoring_inputs(
    get: Callable[[str], Any], backup_max_age_hours: int
) -> tuple[dict[str, Target], RuleOptions, dict[str, str]]:
    """(targets, rule options, substitution variables) for this cluster's components."""
    cnpg, valkey, rabbitmq = get("cnpg"), get("valkey"), get("rabbitmq")
    found = targets(
        traefik=("traefik", getattr(get("traefik"), "namespace", "traefik")),
        cert_manager=("cert-manager", getattr(get("cert_manager"), "namespace", "cert-manager")),
        external_dns=("external-dns", getattr(get("external_dns"), "namespace", "external-dns")),
        eso=("external-secrets", getattr(get("vault_eso"), "namespace", "external-secrets")),
        # The datastores and the broker publish what they are in their contracts.
        cnpg_namespace=_contract(cnpg, "database_contract", "namespace", "databases"),
        valkey_namespace=_contract(valkey, "valkey_contract", "namespace", "valkey"),
        flux_namespace=FLUX_NAMESPACE,
        rabbitmq_namespace=_contract(
            rabbitmq, "rabbitmq_contract", "namespace", RABBITMQ_NAMESPACE
        ),
    )
    options = RuleOptions(
        cnpg_namespace=found["cnpg"].namespace,
        cnpg_cluster="${cnpg_cluster_name}",
        cnpg_backup_max_age_hours=(
            backup_max_age_hours
            if _contract(cnpg, "database_contract", "backup_enabled", False)
            else None
        ),
        valkey_namespace=found["valkey"].namespace,
        valkey_name="${valkey_name}",
        rabbitmq_namespace=found["rabbitmq"].namespace,
        rabbitmq_name="${rabbitmq_name}",
    )
    variables = {
        "cnpg_cluster_name": _contract(
            cnpg, "database_contract", "cluster_name", CnpgSettings().name
        ),
        "valkey_name": _contract(valkey, "valkey_contract", "name", ValkeySettings().name),
        "rabbitmq_name": _contract(rabbitmq, "rabbitmq_contract", "name", RabbitmqSettings().name),
    }
    return found, options, variables
