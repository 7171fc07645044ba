"""ServiceMonitors and PodMonitors for each platform component.

Each selector is the pod label set the component's own chart (or operator)
puts on the pods that serve metrics, read from its templates at the version
we pin; ``CHART_EVIDENCE`` records where, and
``tests/observability/test_monitors.py`` checks every selector against it and
against the release names and namespaces we actually render. The components
install before the Prometheus Operator CRDs exist, so their charts' own
ServiceMonitor switches stay off and the monitors live here instead, applied
after the monitoring stack.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wildside_constructs import flux
from wildside_constructs.settings.rabbitmq import OPERATOR_NAMESPACE

MONITORING_NAMESPACE = "monitoring"
PART_OF = "observability"


@dataclass(frozen=True)
class Target:
    """Where a component's metrics are: pods, the named port, the namespace."""

    key: str
    monitor: str
    namespace: str
    selector: dict[str, str]
    port: str
    path: str = "/metrics"
    # A selector value may name a Flux substitution (``${...}``).
    match_expressions: tuple[tuple[str, tuple[str, ...]], ...] = ()
    scheme: str = "http"
    # A TLS endpoint's client settings; a CA Secret named here must be in the
    # monitor's own namespace (the Prometheus Operator reads it from there).
    tls: tuple[tuple[str, Any], ...] = ()
    monitor_namespace: str = MONITORING_NAMESPACE


# Component key -> (chart or operator, tag, commit, file, what it says).
CHART_EVIDENCE: dict[str, dict[str, Any]] = {
    "traefik": {
        "source": "traefik/traefik-helm-chart v37.4.0 (64d25f2c)",
        "files": ["traefik/templates/_helpers.tpl", "traefik/values.yaml"],
        # traefik.labelselector: name "traefik", instance "<release>-<namespace>";
        # ports.metrics (9100) is the container port "metrics"; Prometheus
        # metrics are on by default (metrics.prometheus.entryPoint: metrics).
        "labels": {
            "app.kubernetes.io/name": "traefik",
            "app.kubernetes.io/instance": "{release}-{namespace}",
        },
        "port": "metrics",
    },
    "cert_manager": {
        "source": "cert-manager/cert-manager v1.19.2 (6e38ee57)",
        "files": ["deploy/charts/cert-manager/templates/deployment.yaml"],
        "labels": {
            "app.kubernetes.io/name": "cert-manager",
            "app.kubernetes.io/instance": "{release}",
            "app.kubernetes.io/component": "controller",
        },
        "port": "http-metrics",
    },
    "external_dns": {
        "source": "kubernetes-sigs/external-dns external-dns-helm-chart-1.19.0 (b7407777)",
        "files": ["charts/external-dns/templates/_helpers.tpl", "templates/deployment.yaml"],
        "labels": {
            "app.kubernetes.io/name": "external-dns",
            "app.kubernetes.io/instance": "{release}",
        },
        "port": "http",
    },
    "vault_eso": {
        "source": "external-secrets/external-secrets helm-chart-1.1.1 (b2d50733)",
        "files": ["deploy/charts/external-secrets/templates/_helpers.tpl", "deployment.yaml"],
        # metrics.listen.port 8080 is the container port "metrics".
        "labels": {
            "app.kubernetes.io/name": "external-secrets",
            "app.kubernetes.io/instance": "{release}",
        },
        "port": "metrics",
    },
    "cnpg": {
        "source": "cloudnative-pg docs/src/monitoring.md (v1.27): instance pods carry "
        "cnpg.io/cluster and cnpg.io/podRole=instance; exporter port 'metrics' (9187)",
        "files": [],
        "labels": {"cnpg.io/cluster": "{cluster}", "cnpg.io/podRole": "instance"},
        "port": "metrics",
    },
    "valkey": {
        "source": "hyperspike/valkey-operator v0.0.60 (cac14d64)",
        "files": ["internal/controller/valkey_controller.go: labels(), exporter()"],
        # spec.prometheus adds the redis_exporter sidecar with port "valkey-metrics".
        "labels": {
            "app.kubernetes.io/name": "valkey",
            "app.kubernetes.io/instance": "{cluster}",
            "app.kubernetes.io/component": "valkey",
        },
        "port": "valkey-metrics",
    },
    "flux": {
        "source": "fluxcd/flux2-monitoring-example monitoring/configs/podmonitor.yaml; "
        "fluxcd-community/helm-charts flux2-2.16.4 (e07cfacf) templates label app=<controller>",
        "files": ["charts/flux2/templates/source-controller.yaml"],
        "labels": {"app": "{controller}"},
        "port": "http-prom",
    },
    "rabbitmq": {
        "source": "rabbitmq/cluster-operator v2.22.3 (03e0b49c)",
        "files": [
            "internal/metadata/label.go: Label()",
            "internal/resource/statefulset.go: updateContainerPortsOnlyTLSListeners()",
            "internal/resource/configmap.go: prometheus.ssl.port = 15691",
            "observability/prometheus/monitors/rabbitmq-servicemonitor.yml",
        ],
        # Pods carry name=<cluster>, component=rabbitmq. With
        # tls.disableNonTLSListeners (our broker), the only metrics port is
        # "prometheus-tls" (15691, HTTPS); "prometheus" (15692) is not declared.
        "labels": {
            "app.kubernetes.io/name": "{cluster}",
            "app.kubernetes.io/component": "rabbitmq",
        },
        "port": "prometheus-tls",
    },
    "rabbitmq_operator": {
        "source": "rabbitmq/cluster-operator v2.22.3 (03e0b49c)",
        "files": [
            "config/manager/manager.yaml",
            "observability/prometheus/monitors/rabbitmq-cluster-operator-podmonitor.yml",
        ],
        # Plain HTTP on 8080 ("metrics"); the topology operator shares the
        # component label but has no "metrics" port, so the name label narrows.
        "labels": {
            "app.kubernetes.io/name": "rabbitmq-cluster-operator",
            "app.kubernetes.io/component": "rabbitmq-operator",
        },
        "port": "metrics",
    },
}

# Component key -> further targets monitored in the same unit (switched together).
EXTRA_MONITORS: dict[str, tuple[str, ...]] = {"rabbitmq": ("rabbitmq_operator",)}

FLUX_CONTROLLERS = (
    "helm-controller",
    "kustomize-controller",
    "notification-controller",
    "source-controller",
)


def pod_monitor(target: Target) -> dict[str, Any]:
    selector: dict[str, Any] = {}
    if target.selector:
        selector["matchLabels"] = dict(target.selector)
    if target.match_expressions:
        selector["matchExpressions"] = [
            {"key": key, "operator": "In", "values": list(values)}
            for key, values in target.match_expressions
        ]
    endpoint: dict[str, Any] = {"port": target.port, "path": target.path}
    if target.scheme != "http":
        endpoint["scheme"] = target.scheme
    if target.tls:
        endpoint["tlsConfig"] = dict(target.tls)
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PodMonitor",
        "metadata": {
            "name": target.monitor,
            "namespace": target.monitor_namespace,
            "labels": flux.labels(PART_OF),
        },
        "spec": {
            "namespaceSelector": {"matchNames": [target.namespace]},
            "selector": selector,
            "podMetricsEndpoints": [endpoint],
        },
    }


def rabbitmq_targets(namespace: str, operator_namespace: str) -> tuple[Target, Target]:
    """The broker's nodes and the cluster operator; the broker's name is ``${rabbitmq_name}``.

    The broker serves metrics over TLS only, with a certificate from its own
    private CA; the monitor sits beside that CA's Secret, in the broker's
    namespace, so Prometheus verifies the certificate instead of skipping it
    (upstream's example sets ``insecureSkipVerify``). The server name is one
    of the certificate's DNS names (rabbitmq.py ``tls_documents``).
    """
    name = "${rabbitmq_name}"
    evidence = CHART_EVIDENCE["rabbitmq"]
    broker = Target(
        "rabbitmq",
        "rabbitmq",
        namespace,
        {k: v.format(cluster=name) for k, v in evidence["labels"].items()},
        evidence["port"],
        scheme="https",
        tls=(
            ("ca", {"secret": {"name": f"{name}-ca", "key": "ca.crt"}}),
            ("serverName", f"{name}.{namespace}.svc"),
        ),
        monitor_namespace=namespace,
    )
    operator = CHART_EVIDENCE["rabbitmq_operator"]
    return broker, Target(
        "rabbitmq_operator",
        "rabbitmq-cluster-operator",
        operator_namespace,
        dict(operator["labels"]),
        operator["port"],
    )


def targets(
    *,
    traefik: tuple[str, str],
    cert_manager: tuple[str, str],
    external_dns: tuple[str, str],
    eso: tuple[str, str],
    cnpg_namespace: str,
    valkey_namespace: str,
    flux_namespace: str,
    rabbitmq_namespace: str,
) -> dict[str, Target]:
    """Every component's target, given each release's (name, namespace).

    Keys are component keys, plus the extra monitors of :data:`EXTRA_MONITORS`.
    """

    def labels(key: str, **values: str) -> dict[str, str]:
        template: dict[str, str] = CHART_EVIDENCE[key]["labels"]
        return {k: v.format(**values) for k, v in template.items()}

    def port(key: str) -> str:
        named: str = CHART_EVIDENCE[key]["port"]
        return named

    broker, operator = rabbitmq_targets(rabbitmq_namespace, OPERATOR_NAMESPACE)
    return {
        "traefik": Target(
            "traefik",
            "traefik",
            traefik[1],
            labels("traefik", release=traefik[0], namespace=traefik[1]),
            port("traefik"),
        ),
        "cert_manager": Target(
            "cert_manager",
            "cert-manager",
            cert_manager[1],
            labels("cert_manager", release=cert_manager[0]),
            port("cert_manager"),
        ),
        "external_dns": Target(
            "external_dns",
            "external-dns",
            external_dns[1],
            labels("external_dns", release=external_dns[0]),
            port("external_dns"),
        ),
        "vault_eso": Target(
            "vault_eso",
            "external-secrets",
            eso[1],
            labels("vault_eso", release=eso[0]),
            port("vault_eso"),
        ),
        "cnpg": Target(
            "cnpg",
            "cloudnative-pg",
            cnpg_namespace,
            labels("cnpg", cluster="${cnpg_cluster_name}"),
            port("cnpg"),
        ),
        "valkey": Target(
            "valkey",
            "valkey",
            valkey_namespace,
            labels("valkey", cluster="${valkey_name}"),
            port("valkey"),
        ),
        "flux": Target(
            "flux",
            "flux-system",
            flux_namespace,
            {},
            port("flux"),
            match_expressions=(("app", FLUX_CONTROLLERS),),
        ),
        "rabbitmq": broker,
        "rabbitmq_operator": operator,
    }
