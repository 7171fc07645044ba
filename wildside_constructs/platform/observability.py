"""Observability: metrics, alerts, dashboards, traces and (optionally) logs.

Units, in dependency order:

- ``observability-namespace`` (namespace ``monitoring``);
- ``observability-grafana-admin`` and ``observability-routing`` (a variant
  folder per distinct routing: the Alertmanager configuration, as HelmRelease
  values in a ConfigMap, plus the receivers' ExternalSecret);
- ``observability`` (kube-prometheus-stack; it installs the monitoring CRDs);
- ``observability-dashboards``; ``monitors-<component>`` for every enabled
  component and Flux (PodMonitors + PrometheusRule), after the CRDs;
- ``observability-otel-operator`` then ``observability-collector`` when traces
  are on; ``observability-logs-*`` when logs go to OpenSearch.

Other components are read as sibling constructs (their typed attributes, in
:mod:`wildside_constructs.observability.siblings`), so the monitors follow the
names each component actually renders.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from constructs import Construct

from wildside_constructs import flux
from wildside_constructs.model import (
    SOURCES,
    ClusterContext,
    DeployUnit,
    HelmSource,
)
from wildside_constructs.observability import RuleOptions, component_rules, prometheus_rule
from wildside_constructs.observability.alertmanager import (
    RECEIVER_SECRET,
    alertmanager_config,
    receiver_secret_data,
)
from wildside_constructs.observability.dashboards import DASHBOARDS, dashboard_configmap
from wildside_constructs.observability.logs import LogsParts
from wildside_constructs.observability.monitors import EXTRA_MONITORS, Target, pod_monitor
from wildside_constructs.observability.otel import (
    OTLP_GRPC,
    OTLP_HTTP,
    TRACE_TOKEN_SECRET,
    collector,
    operator_values,
    variant,
)
from wildside_constructs.observability.siblings import monitoring_inputs
from wildside_constructs.observability.stack import (
    ALERTMANAGER_URL,
    GRAFANA_ADMIN_SECRET,
    GRAFANA_URL,
    PROMETHEUS_URL,
    RELEASE,
    ROUTING_CONFIGMAP,
    stack_values,
)
from wildside_constructs.platform.component import PlatformComponent, contract_output
from wildside_constructs.platform.external_secrets import external_secret
from wildside_constructs.platform.operator import operator_unit
from wildside_constructs.platform.rabbitmq import CLUSTER_UNIT as RABBITMQ_CLUSTER_UNIT
from wildside_constructs.platform.values import resource_variables, unit_variables
from wildside_constructs.settings.datastores import for_cluster
from wildside_constructs.settings.observability import (
    KUBE_PROMETHEUS_STACK_VERSION,
    NAMESPACE,
    OTEL_OPERATOR_CHART_VERSION,
    ObservabilityContract,
    ObservabilitySettings,
)
from wildside_constructs.settings.vault import SECRET_STORE_UNIT
from wildside_constructs.yamlout import dump

PART_OF = "observability"
# Component key -> its dashboard (the rest are in the dashboards unit).
COMPONENT_DASHBOARDS = {
    "cnpg": "cloudnative-pg",
    "valkey": "valkey",
    "traefik": "traefik",
    "rabbitmq": "rabbitmq",
}
UNIT = "observability"
NAMESPACE_UNIT = "observability-namespace"
ROUTING_UNIT = "observability-routing"
GRAFANA_UNIT = "observability-grafana-admin"
OTEL_UNIT = "observability-otel-operator"
COLLECTOR_UNIT = "observability-collector"
TRACE_TOKEN_UNIT = "observability-trace-token"  # noqa: S105 - a unit name
PROMETHEUS_SOURCE_NAME = "prometheus-community"
OTEL_SOURCE_NAME = "open-telemetry"


PROMETHEUS_SOURCE = HelmSource(
    PROMETHEUS_SOURCE_NAME, "https://prometheus-community.github.io/helm-charts"
)
OTEL_SOURCE = HelmSource(
    OTEL_SOURCE_NAME, "https://open-telemetry.github.io/opentelemetry-helm-charts"
)


class Observability(PlatformComponent):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        context: ClusterContext,
        settings: ObservabilitySettings,
    ) -> None:
        super().__init__(scope, id, context=context, settings=settings)
        self.variables: dict[str, str] = {
            "cluster_domain": context.domain,
            "obs_retention": settings.prometheus.retention,
            "obs_retention_size": settings.prometheus.retention_size,
            "obs_storage_size": settings.prometheus.storage_size,
            "obs_storage_class": settings.prometheus.storage_class,
            **resource_variables("obs_prometheus", settings.prometheus.resources),
            **resource_variables("obs_grafana", settings.grafana_resources),
            **resource_variables("obs_collector", settings.traces.resources),
            "obs_grafana_vault_path": for_cluster(settings.grafana_vault_path, context.name),
            "obs_trace_endpoint": settings.traces.endpoint,
            "obs_trace_insecure": str(settings.traces.endpoint.startswith("http://")).lower(),
        }
        self.add_unit(
            DeployUnit(
                name=NAMESPACE_UNIT,
                folder=f"{self.folder}/namespace",
                documents={"namespace.yaml": flux.namespace(NAMESPACE, PART_OF)},
            )
        )
        stack_deps = (self._grafana_admin().name, self._routing().name)
        self._stack(stack_deps)
        self._dashboards()
        self._monitors()
        # Logs first: the collector's variant reads the logs endpoint.
        self.logs = LogsParts(self, settings.logs, context)
        if settings.traces.enabled:
            self._traces()
        traces = settings.traces.enabled
        self.observability_contract = ObservabilityContract(
            namespace=NAMESPACE,
            prometheus_url=PROMETHEUS_URL,
            alertmanager_url=ALERTMANAGER_URL,
            grafana_url=GRAFANA_URL,
            grafana_external_url=f"https://grafana.{context.domain}",
            otlp_grpc_endpoint=OTLP_GRPC if traces else "",
            otlp_http_endpoint=OTLP_HTTP if traces else "",
            trace_backend=settings.traces.endpoint,
            traces_exported=bool(traces and settings.traces.endpoint),
            alerts_page=settings.alerting.pages(context.environment),
            monitored_components=tuple(self.monitored),
            logs=self.logs.logs_contract,
        )

    def _add(
        self, name: str, folder: str, documents: Mapping[str, Any], deps: tuple[str, ...]
    ) -> DeployUnit:
        return self.add_unit(
            DeployUnit(
                name=name,
                folder=folder,
                documents=dict(documents),
                depends_on=deps,
                variables=unit_variables(documents, self.variables),
            )
        )

    def _grafana_admin(self) -> DeployUnit:
        document = external_secret(
            name=GRAFANA_ADMIN_SECRET,
            namespace=NAMESPACE,
            part_of=PART_OF,
            data=[
                ("admin-user", "${obs_grafana_vault_path}", "admin_user"),
                ("admin-password", "${obs_grafana_vault_path}", "admin_password"),
            ],
        )
        return self._add(
            GRAFANA_UNIT,
            f"{self.folder}/grafana-admin",
            {"externalsecret.yaml": document},
            (NAMESPACE_UNIT, SECRET_STORE_UNIT),
        )

    def _routing(self) -> DeployUnit:
        """The routing variant: same receivers and mode, same folder, any cluster."""
        alerting = self.settings.alerting
        config = alertmanager_config(alerting, self.context.environment)
        spec: dict[str, Any] = {}
        documents: dict[str, Any] = {}
        data = receiver_secret_data(alerting)
        if data:
            spec["secrets"] = [RECEIVER_SECRET]
            for name, path, _prop in data:
                self.variables[f"obs_receiver_{name.replace('-', '_')}_path"] = for_cluster(
                    path, self.context.name
                )
            documents["externalsecret.yaml"] = external_secret(
                name=RECEIVER_SECRET,
                namespace=NAMESPACE,
                part_of=PART_OF,
                data=[
                    (name, f"${{obs_receiver_{name.replace('-', '_')}_path}}", prop)
                    for name, _path, prop in data
                ],
            )
        values = {
            "alertmanager": {"config": config, **({"alertmanagerSpec": spec} if spec else {})}
        }
        documents["configmap.yaml"] = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": ROUTING_CONFIGMAP,
                "namespace": NAMESPACE,
                "labels": flux.labels(PART_OF),
            },
            "data": {"values.yaml": dump(values)},
        }
        digest = hashlib.sha256("".join(dump(d) for d in documents.values()).encode()).hexdigest()
        self.routing_variant = f"routing-{digest[:10]}"
        return self._add(
            ROUTING_UNIT,
            f"{self.folder}/{self.routing_variant}",
            documents,
            (NAMESPACE_UNIT, SECRET_STORE_UNIT) if data else (NAMESPACE_UNIT,),
        )

    def _stack(self, deps: tuple[str, ...]) -> None:
        source = self.use_source(PROMETHEUS_SOURCE)
        cert_manager = self.sibling("cert_manager")
        issuer = (
            cert_manager.cert_manager_contract.production_issuer
            if cert_manager
            else "letsencrypt-production"
        )
        unit = operator_unit(
            name=UNIT,
            folder=f"{self.folder}/stack",
            namespaces=(NAMESPACE,),
            release=RELEASE,
            chart="kube-prometheus-stack",
            version=KUBE_PROMETHEUS_STACK_VERSION,
            source=source,
            values=stack_values(issuer),
            part_of=PART_OF,
            variables=self.variables,
        )
        # The namespace has its own unit (secrets and routing precede the release).
        documents = {k: v for k, v in unit.documents.items() if k != "namespace.yaml"}
        release = documents["helmrelease.yaml"]
        release["spec"]["valuesFrom"] = [
            {"kind": "ConfigMap", "name": ROUTING_CONFIGMAP, "valuesKey": "values.yaml"}
        ]
        issuers = (cert_manager.cert_manager_contract.issuers_unit,) if cert_manager else ()
        self._add(UNIT, unit.folder, documents, (SOURCES, NAMESPACE_UNIT, *deps, *issuers))

    def _dashboards(self) -> None:
        # Component dashboards travel with their monitors (switched off together).
        documents = {
            f"dashboard-{name}.yaml": dashboard_configmap(name, NAMESPACE, PART_OF)
            for name in DASHBOARDS
            if name not in COMPONENT_DASHBOARDS.values()
        }
        self._add(
            "observability-dashboards", f"{self.folder}/dashboards", documents, (NAMESPACE_UNIT,)
        )

    def _monitors(self) -> None:
        """One unit per monitored component: switching either off removes exactly it."""
        found, options, names = monitoring_inputs(self.sibling, self.settings.backup_max_age_hours)
        self.variables.update(names)
        self.monitored: list[str] = []
        for key in ("flux", *self.context.enabled):
            if key in found:
                extras = tuple(found[extra] for extra in EXTRA_MONITORS.get(key, ()))
                self._monitor_unit(key, found[key], options, extras)

    def _monitor_unit(
        self, key: str, target: Target, options: RuleOptions, extras: tuple[Target, ...]
    ) -> None:
        documents: dict[str, Any] = {"monitor.yaml": pod_monitor(target)}
        for extra in extras:
            documents[f"monitor-{extra.monitor}.yaml"] = pod_monitor(extra)
        if key in COMPONENT_DASHBOARDS:
            name = COMPONENT_DASHBOARDS[key]
            documents["dashboard.yaml"] = dashboard_configmap(name, NAMESPACE, PART_OF)
        groups = component_rules(key, options)
        if key == "cnpg" and options.cnpg_backup_max_age_hours is not None:
            # Backups on or off change the rules' shape: one variant each.
            folder = f"{self.folder}/monitors/{target.monitor}-backup"
        else:
            folder = f"{self.folder}/monitors/{target.monitor}"
        if groups:
            documents["rules.yaml"] = prometheus_rule(
                f"{target.monitor}-alerts", NAMESPACE, groups, PART_OF
            )
        self.monitored.append(key)
        deps: tuple[str, ...] = (UNIT,)
        if target.monitor_namespace != NAMESPACE:
            # The broker's monitor reads its CA Secret, in its namespace: wait for both.
            deps += (RABBITMQ_CLUSTER_UNIT,)
        self._add(f"monitors-{target.monitor}", folder, documents, deps)

    def _traces(self) -> None:
        source = self.use_source(OTEL_SOURCE)
        cert_manager = self.sibling("cert_manager")
        unit = operator_unit(
            name=OTEL_UNIT,
            folder=f"{self.folder}/otel-operator",
            namespaces=(NAMESPACE,),
            release="opentelemetry-operator",
            chart="opentelemetry-operator",
            version=OTEL_OPERATOR_CHART_VERSION,
            source=source,
            values=operator_values(),
            part_of=PART_OF,
        )
        documents = {k: v for k, v in unit.documents.items() if k != "namespace.yaml"}
        deps: tuple[str, ...] = (SOURCES, NAMESPACE_UNIT)
        if cert_manager is not None:
            deps += ("cert-manager",)
        self._add(OTEL_UNIT, unit.folder, documents, deps)
        traces = self.settings.traces
        shape = "none" if not traces.endpoint else ("otlp-auth" if traces.vault_path else "otlp")
        collector_deps: tuple[str, ...] = (OTEL_UNIT,)
        if shape == "otlp-auth":
            self.variables["obs_trace_vault_path"] = for_cluster(
                traces.vault_path, self.context.name
            )
            token = external_secret(
                name=TRACE_TOKEN_SECRET,
                namespace=NAMESPACE,
                part_of=PART_OF,
                data=[("authorization", "${obs_trace_vault_path}", "authorization")],
            )
            collector_deps += (
                self._add(
                    TRACE_TOKEN_UNIT,
                    f"{self.folder}/trace-token",
                    {"externalsecret.yaml": token},
                    (NAMESPACE_UNIT, SECRET_STORE_UNIT),
                ).name,
            )
        logs_on = self.settings.logs.mode != "off"
        if logs_on:
            collector_deps += ("observability-logs-credentials",)
        document = collector(shape, logs_on, NAMESPACE, PART_OF)
        self._add(
            COLLECTOR_UNIT,
            f"{self.folder}/{variant(shape, logs_on)}",
            {"collector.yaml": document},
            collector_deps,
        )

    def contract(self) -> dict[str, Any]:
        return contract_output(self.observability_contract)
