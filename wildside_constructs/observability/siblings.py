"""What the monitors and rules need from the components they watch.

Each component is read as a sibling construct (its typed contract attribute,
such as ``traefik_contract``), so monitors and rules follow the names it
actually renders; a component that is off, or the observability construct
built alone, falls back to that component's defaults. Names that differ per cluster travel as
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
from wildside_constructs.settings.vault import ESO_NAMESPACE


def _contract(component: Any, attribute: str, field: str, default: Any) -> Any:
    """``component.<attribute>.<field>`` (its typed contract), or ``default`` when it is off."""
    return getattr(getattr(component, attribute, None), field, default)


def monitoring_inputs(
    get: Callable[[str], Any], backup_max_age_hours: int
) -> tuple[dict[str, Target], RuleOptions, dict[str, str]]:
    """(targets, rule options, substitution variables) for this cluster's components."""
    cnpg, valkey, rabbitmq = get("cnpg"), get("valkey"), get("rabbitmq")
    found = targets(
        traefik=("traefik", _contract(get("traefik"), "traefik_contract", "namespace", "traefik")),
        cert_manager=(
            "cert-manager",
            _contract(get("cert_manager"), "cert_manager_contract", "namespace", "cert-manager"),
        ),
        external_dns=(
            "external-dns",
            _contract(get("external_dns"), "external_dns_contract", "namespace", "external-dns"),
        ),
        eso=("external-secrets", _contract(get("vault_eso"), "vault", "namespace", ESO_NAMESPACE)),
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
