"""kube-prometheus-stack values: small, DOKS-aware, selecting our own monitors.

Per-cluster values are Flux substitutions (``${obs_...}``), so the release
file is the same for every cluster; routing, which changes shape, arrives
through ``valuesFrom`` (see :mod:`wildside_constructs.observability.alertmanager`).
"""

from __future__ import annotations

from typing import Any

from wildside_constructs.platform.values import resource_values

RELEASE = "kube-prometheus-stack"
# Short, stable object names: kps-prometheus, kps-alertmanager, grafana.
FULLNAME = "kps"
GRAFANA = "grafana"
PROMETHEUS_URL = f"http://{FULLNAME}-prometheus.monitoring.svc:9090"
ALERTMANAGER_URL = f"http://{FULLNAME}-alertmanager.monitoring.svc:9093"
GRAFANA_URL = f"http://{GRAFANA}.monitoring.svc:80"
# Pinned datasource UIDs the dashboards refer to.
PROMETHEUS_UID = "prometheus"
ALERTMANAGER_UID = "alertmanager"
GRAFANA_ADMIN_SECRET = "grafana-admin"  # noqa: S105 - a Secret name
ROUTING_CONFIGMAP = "alertmanager-routing"

# Flux object state for alerting, as in fluxcd/flux2-monitoring-example's
# kube-state-metrics-config.yaml, at the API versions Flux v2.6 serves.
_FLUX_KINDS = (
    ("kustomize.toolkit.fluxcd.io", "v1", "Kustomization", "lastAppliedRevision"),
    ("helm.toolkit.fluxcd.io", "v2", "HelmRelease", "lastAttemptedRevision"),
    ("source.toolkit.fluxcd.io", "v1", "GitRepository", None),
    ("source.toolkit.fluxcd.io", "v1", "HelmRepository", None),
)


def _flux_resource(group: str, version: str, kind: str, revision: str | None) -> dict[str, Any]:
    path = ["status", revision] if revision else ["status", "artifact", "revision"]
    return {
        "groupVersionKind": {"group": group, "version": version, "kind": kind},
        "metricNamePrefix": "gotk",
        "metrics": [
            {
                "name": "resource_info",
                "help": "The current state of a Flux resource.",
                "each": {
                    "type": "Info",
                    "info": {"labelsFromPath": {"name": ["metadata", "name"]}},
                },
                "labelsFromPath": {
                    "exported_namespace": ["metadata", "namespace"],
                    "ready": ["status", "conditions", "[type=Ready]", "status"],
                    "suspended": ["spec", "suspend"],
                    "revision": path,
                },
            }
        ],
    }


def kube_state_metrics() -> dict[str, Any]:
    return {
        "rbac": {
            "extraRules": [
                {
                    "apiGroups": sorted({group for group, *_ in _FLUX_KINDS}),
                    "resources": [
                        "kustomizations",
                        "helmreleases",
                        "gitrepositories",
                        "helmrepositories",
                    ],
                    "verbs": ["list", "watch"],
                }
            ]
        },
        "customResourceState": {
            "enabled": True,
            "config": {"spec": {"resources": [_flux_resource(*kind) for kind in _FLUX_KINDS]}},
        },
    }


def stack_values(issuer: str) -> dict[str, Any]:
    """The HelmRelease values; ``issuer`` is the ClusterIssuer for Grafana's TLS."""
    host = "grafana.${cluster_domain}"
    return {
        "fullnameOverride": FULLNAME,
        "crds": {"enabled": True},
        # DOKS runs etcd, the scheduler and the controller manager out of reach:
        # scraping them only produces "target down" alerts.
        "kubeEtcd": {"enabled": False},
        "kubeScheduler": {"enabled": False},
        "kubeControllerManager": {"enabled": False},
        "defaultRules": {
            "create": True,
            "rules": {
                "etcd": False,
                "kubeSchedulerAlerting": False,
                "kubeSchedulerRecording": False,
                "kubeControllerManager": False,
            },
        },
        "prometheus": {
            "prometheusSpec": {
                "retention": "${obs_retention}",
                "retentionSize": "${obs_retention_size}",
                "resources": resource_values("obs_prometheus"),
                # Without these, only monitors and rules carrying the Helm
                # release label are selected; ours do not.
                "serviceMonitorSelectorNilUsesHelmValues": False,
                "podMonitorSelectorNilUsesHelmValues": False,
                "ruleSelectorNilUsesHelmValues": False,
                "probeSelectorNilUsesHelmValues": False,
                "scrapeConfigSelectorNilUsesHelmValues": False,
                "storageSpec": {
                    "volumeClaimTemplate": {
                        "spec": {
                            "storageClassName": "${obs_storage_class}",
                            "accessModes": ["ReadWriteOnce"],
                            "resources": {"requests": {"storage": "${obs_storage_size}"}},
                        }
                    }
                },
            }
        },
        "alertmanager": {
            "alertmanagerSpec": {
                "resources": {
                    "requests": {"cpu": "20m", "memory": "64Mi"},
                    "limits": {"cpu": "200m", "memory": "128Mi"},
                }
            }
        },
        "grafana": {
            "fullnameOverride": GRAFANA,
            "admin": {
                "existingSecret": GRAFANA_ADMIN_SECRET,
                "userKey": "admin-user",
                "passwordKey": "admin-password",
            },
            "grafana.ini": {
                "server": {"root_url": f"https://{host}"},
                "auth.anonymous": {"enabled": False},
                "users": {"allow_sign_up": False},
            },
            "resources": resource_values("obs_grafana"),
            "ingress": {
                "enabled": True,
                "ingressClassName": "traefik",
                "annotations": {"cert-manager.io/cluster-issuer": issuer},
                "hosts": [host],
                "tls": [{"secretName": "grafana-tls", "hosts": [host]}],
            },
            "sidecar": {
                "dashboards": {"enabled": True, "label": "grafana_dashboard", "labelValue": "1"},
                "datasources": {
                    "enabled": True,
                    "uid": PROMETHEUS_UID,
                    "alertmanager": {"enabled": True, "uid": ALERTMANAGER_UID},
                },
            },
        },
        "kube-state-metrics": kube_state_metrics(),
    }
