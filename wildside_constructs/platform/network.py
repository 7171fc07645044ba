"""Default-deny ingress in every namespace the platform creates, plus exactly its allows.

Applied once, to the whole platform, after the components have rendered: each
``Namespace`` document gets, in the same deploy unit, a policy denying all
ingress, one allowing traffic from its own namespace, and the allows in
:data:`ALLOWS` (docs/network-policies.md is the same table in prose). A
namespace a future component creates is denied by default without touching
this file. Egress is not restricted.

Database, cache and message-broker clients are per-cluster allow-lists
(``cnpg.client_namespaces``, ``valkey.client_namespaces``,
``rabbitmq.client_namespaces``) travelling as Flux substitutions, so the files
stay cluster-agnostic; every name must be a namespace the platform creates or
one declared in ``cluster.app_namespaces``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from wildside_constructs.model import ClusterContext, DeployUnit
from wildside_constructs.problems import Problem
from wildside_constructs.settings.apps import PREVIEW_LABEL
from wildside_constructs.settings.rabbitmq import (
    AMQPS_PORT,
    MANAGEMENT_TLS_PORT,
    OPERATOR_NAMESPACE,
)

API = "networking.k8s.io/v1"
NAME_LABEL = "kubernetes.io/metadata.name"
PART_OF = "app.kubernetes.io/part-of"
# The observability component's namespace: metrics scraping is allowed from it
# once that component is enabled (a seam until it lands in the registry).
MONITORING_NAMESPACE = "monitoring"
MONITORING_COMPONENT = "observability"
# DOKS runs the API server outside the pod network, so no selector matches it:
# webhook ports are open to any source, and only those ports.
FROM_API_SERVER = "the Kubernetes API server calling the admission webhook"


@dataclass(frozen=True)
class Allow:
    name: str
    why: str
    ports: tuple[int, ...]
    source: Literal["anywhere", "namespaces", "clients", "labelled"]
    # Namespace names ("namespaces"), or the label key a namespace must carry ("labelled").
    namespaces: tuple[str, ...] = ()


ALLOWS: dict[str, tuple[Allow, ...]] = {
    "traefik": (Allow("clients", "HTTP and HTTPS from anywhere", (8000, 8443), "anywhere"),),
    "cert-manager": (Allow("webhook", FROM_API_SERVER, (10250,), "anywhere"),),
    "external-secrets": (Allow("webhook", FROM_API_SERVER, (10250,), "anywhere"),),
    "cnpg-system": (Allow("webhook", FROM_API_SERVER, (9443,), "anywhere"),),
    "databases": (
        Allow(
            "operator",
            "the CloudNativePG operator (instance status, PostgreSQL)",
            (8000, 5432),
            "namespaces",
            ("cnpg-system",),
        ),
        Allow("clients", "PostgreSQL from cnpg.client_namespaces", (5432,), "clients"),
        # Preview namespaces come and go per pull request, so no list can name them;
        # each reaches its own database with its own role. The policy is the same on
        # every cluster: where no previews run, no namespace carries the label.
        Allow(
            "previews",
            "each pull-request preview reaching its own database",
            (5432,),
            "labelled",
            (PREVIEW_LABEL,),
        ),
    ),
    "valkey": (
        Allow(
            "operator",
            "the Valkey operator (cluster set-up)",
            (6379,),
            "namespaces",
            ("valkey-system",),
        ),
        Allow("clients", "Valkey from valkey.client_namespaces", (6379,), "clients"),
    ),
    # TLS-only broker (disableNonTLSListeners): the plain ports 5672/15672 never listen.
    "messaging": (
        Allow(
            "operator",
            # The operators' own manifests create and use rabbitmq-system.
            "the Messaging Topology Operator (RabbitMQ's management API over TLS)",
            (MANAGEMENT_TLS_PORT,),
            "namespaces",
            (OPERATOR_NAMESPACE,),
        ),
        Allow("clients", "AMQPS from rabbitmq.client_namespaces", (AMQPS_PORT,), "clients"),
    ),
}
# Metrics ports, opened to MONITORING_NAMESPACE when observability is enabled.
METRICS: dict[str, tuple[int, ...]] = {
    "traefik": (9100,),
    "cert-manager": (9402,),
    "external-dns": (7979,),
    "external-secrets": (8080,),
    "cnpg-system": (8080,),
    "databases": (9187,),
    # RabbitMQ's nodes serve metrics on their TLS port only (prometheus-tls).
    "messaging": (15691,),
}
# Namespace -> (settings key, variable) for the client allow-lists.
CLIENTS = {
    "databases": ("cnpg", "cnpg_client_namespaces"),
    "valkey": ("valkey", "valkey_client_namespaces"),
    "messaging": ("rabbitmq", "rabbitmq_client_namespaces"),
}


def _policy(name: str, namespace: str, part_of: str, spec: dict[str, Any]) -> dict[str, Any]:
    labels = {
        "app.kubernetes.io/part-of": part_of,
        "app.kubernetes.io/managed-by": "wildside-infra-k8s",
    }
    return {
        "apiVersion": API,
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": {"podSelector": {}, "policyTypes": ["Ingress"], **spec},
    }


def _from(allow: Allow, variable: str) -> list[dict[str, Any]]:
    if allow.source == "anywhere":
        return []  # a rule without `from` admits every source
    if allow.source == "labelled":
        labelled = [{"key": key, "operator": "Exists"} for key in allow.namespaces]
        return [{"namespaceSelector": {"matchExpressions": labelled}}]
    values: Any = list(allow.namespaces) if allow.source == "namespaces" else f"${{{variable}}}"
    selector = {"matchExpressions": [{"key": NAME_LABEL, "operator": "In", "values": values}]}
    return [{"namespaceSelector": selector}]


def namespace_policies(
    namespace: str, part_of: str, *, monitored: bool, variable: str = ""
) -> dict[str, dict[str, Any]]:
    """File name -> NetworkPolicy for one namespace."""
    prefix = f"networkpolicy-{namespace}"
    found = {
        f"{prefix}-default-deny.yaml": _policy("default-deny-ingress", namespace, part_of, {}),
        f"{prefix}-same-namespace.yaml": _policy(
            "allow-same-namespace",
            namespace,
            part_of,
            {"ingress": [{"from": [{"podSelector": {}}]}]},
        ),
    }
    allows = list(ALLOWS.get(namespace, ()))
    if monitored and namespace in METRICS:
        allows.append(
            Allow("metrics", "scraping", METRICS[namespace], "namespaces", (MONITORING_NAMESPACE,))
        )
    for allow in allows:
        rule: dict[str, Any] = {"ports": [{"protocol": "TCP", "port": p} for p in allow.ports]}
        sources = _from(allow, variable)
        if sources:
            rule["from"] = sources
        spec = {"ingress": [rule]}
        found[f"{prefix}-allow-{allow.name}.yaml"] = _policy(
            f"allow-{allow.name}", namespace, part_of, spec
        )
    return found


def created_namespaces(units: Sequence[DeployUnit]) -> dict[str, str]:
    """Namespace -> its ``part-of`` label, for every Namespace the units create."""
    return {
        doc["metadata"]["name"]: doc["metadata"].get("labels", {}).get(PART_OF, "platform")
        for unit in units
        for doc in unit.documents.values()
        if doc.get("kind") == "Namespace"
    }


def client_problems(
    settings: Mapping[str, Any], known: set[str], context: ClusterContext
) -> list[Problem]:
    found: list[Problem] = []
    for key, _variable in CLIENTS.values():
        for index, name in enumerate(getattr(settings.get(key), "client_namespaces", ())):
            if name not in known:
                found.append(
                    Problem(
                        f"{key}.client_namespaces[{index}]",
                        f"{name!r} is neither a namespace the platform creates "
                        f"({', '.join(sorted(known - set(context.app_namespaces)))}) nor one "
                        "listed in cluster.app_namespaces; add it there, or fix the name",
                    )
                )
    return found


def secure(
    units: list[DeployUnit], settings: Mapping[str, Any], context: ClusterContext
) -> list[DeployUnit]:
    """``units`` with each created namespace's policies added to the unit creating it."""
    monitored = MONITORING_COMPONENT in context.enabled
    secured = []
    for unit in units:
        namespaces = created_namespaces([unit])
        if not namespaces:
            secured.append(unit)
            continue
        documents = dict(unit.documents)
        variables = dict(unit.variables)
        for namespace, part_of in namespaces.items():
            key, variable = CLIENTS.get(namespace, ("", ""))
            if variable:
                clients = getattr(settings.get(key), "client_namespaces", ())
                variables[variable] = json.dumps([namespace, *clients])
            documents.update(
                namespace_policies(namespace, part_of, monitored=monitored, variable=variable)
            )
        secured.append(replace(unit, documents=documents, variables=variables))
    return secured
