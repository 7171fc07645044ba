"""promtool scenarios: input series, and which alerts must (not) fire when.

Each check is (eval_time, alertname, label sets the alert must carry beyond
its rule's own ``severity``/``component``); an empty list means "silent".
``MetricAbsent`` checks name the metric. Times follow each rule's ``for``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Check = tuple[str, str, list[dict[str, str]]]


@dataclass(frozen=True)
class Scenario:
    name: str
    series: dict[str, str]
    checks: list[Check]
    interval: str = "1m"
    extra: dict[str, str] = field(default_factory=dict)


def absent(*metrics: str) -> list[dict[str, str]]:
    return [{"metric": m} for m in metrics]


KS = 'customresource_kind="Kustomization", exported_namespace="flux-system"'
FLUX = [
    Scenario(
        "healthy objects: nothing fires, no guard",
        {
            f'gotk_resource_info{{{KS}, name="traefik", ready="True", suspended="false"}}': "1x180",
            'gotk_resource_info{customresource_kind="GitRepository", exported_namespace='
            '"flux-system", name="flux-system", ready="False", suspended="true"}': "1x180",
        },
        [
            ("150m", "FluxReconciliationFailing", []),
            ("150m", "FluxResourceSuspended", []),
            ("150m", "MetricAbsent", []),
        ],
    ),
    Scenario(
        "a Kustomization not Ready fires after 15 minutes, not before",
        {f'gotk_resource_info{{{KS}, name="cnpg", ready="False", suspended="false"}}': "1x30"},
        [
            ("10m", "FluxReconciliationFailing", []),
            (
                "20m",
                "FluxReconciliationFailing",
                [
                    {
                        "customresource_kind": "Kustomization",
                        "exported_namespace": "flux-system",
                        "name": "cnpg",
                    }
                ],
            ),
        ],
    ),
    Scenario(
        "a suspended HelmRelease fires after 2 hours",
        {
            'gotk_resource_info{customresource_kind="HelmRelease", exported_namespace="traefik", '
            'name="traefik", ready="True", suspended="true"}': "1x180"
        },
        [
            ("90m", "FluxResourceSuspended", []),
            (
                "125m",
                "FluxResourceSuspended",
                [
                    {
                        "customresource_kind": "HelmRelease",
                        "exported_namespace": "traefik",
                        "name": "traefik",
                    }
                ],
            ),
            ("125m", "FluxReconciliationFailing", []),
        ],
    ),
    Scenario(
        "no Flux state metric: the guard fires",
        {},
        [("20m", "MetricAbsent", absent("gotk_resource_info"))],
    ),
]

CERT = 'namespace="cert-manager", exported_namespace="traefik", name="wildcard"'
CERT_LABELS = {"exported_namespace": "traefik", "name": "wildcard"}
CERT_MANAGER = [
    Scenario(
        "renewed certificate: silent",
        {
            # Expires 60 days after the start; time() is 0 at the start.
            f"certmanager_certificate_expiration_timestamp_seconds{{{CERT}}}": f"{60 * 86400}x180",
            f'certmanager_certificate_ready_status{{{CERT}, condition="True"}}': "1x180",
            f'certmanager_certificate_ready_status{{{CERT}, condition="False"}}': "0x180",
        },
        [
            ("150m", "CertificateExpiringSoon", []),
            ("150m", "CertificateNotReady", []),
            ("150m", "MetricAbsent", []),
        ],
    ),
    Scenario(
        "expires in 10 days and not ready: both fire",
        {
            f"certmanager_certificate_expiration_timestamp_seconds{{{CERT}}}": f"{10 * 86400}x180",
            f'certmanager_certificate_ready_status{{{CERT}, condition="True"}}': "0x180",
            f'certmanager_certificate_ready_status{{{CERT}, condition="False"}}': "1x180",
        },
        [
            ("30m", "CertificateExpiringSoon", []),
            ("90m", "CertificateExpiringSoon", [CERT_LABELS]),
            ("20m", "CertificateNotReady", [CERT_LABELS]),
        ],
    ),
    Scenario(
        "15 days left: not yet",
        {f"certmanager_certificate_expiration_timestamp_seconds{{{CERT}}}": f"{15 * 86400}x180"},
        [("150m", "CertificateExpiringSoon", [])],
    ),
    Scenario(
        "no cert-manager metrics: both guards fire",
        {},
        [
            (
                "20m",
                "MetricAbsent",
                absent(
                    "certmanager_certificate_expiration_timestamp_seconds",
                    "certmanager_certificate_ready_status",
                ),
            )
        ],
    ),
]

ES = 'namespace="external-secrets", exported_namespace="databases", name="pg-backup"'
EXTERNAL_SECRETS = [
    Scenario(
        "synced: silent",
        {
            f'externalsecret_status_condition{{{ES}, condition="Ready", status="True"}}': "1x30",
            f'externalsecret_status_condition{{{ES}, condition="Ready", status="False"}}': "0x30",
        },
        [("25m", "ExternalSecretSyncFailing", []), ("25m", "MetricAbsent", [])],
    ),
    Scenario(
        "failing to sync: fires after 15 minutes",
        {
            f'externalsecret_status_condition{{{ES}, condition="Ready", status="True"}}': "0x30",
            f'externalsecret_status_condition{{{ES}, condition="Ready", status="False"}}': "1x30",
        },
        [
            ("10m", "ExternalSecretSyncFailing", []),
            (
                "20m",
                "ExternalSecretSyncFailing",
                [{"exported_namespace": "databases", "name": "pg-backup"}],
            ),
        ],
    ),
    Scenario(
        "no ESO metrics: the guard fires",
        {},
        [("20m", "MetricAbsent", absent("externalsecret_status_condition"))],
    ),
]

SVC = 'traefik_service_requests_total{service="app-web@kubernetes", code='
TRAEFIK = [
    Scenario(
        "1% errors: silent",
        {f'{SVC}"200"}}': "0+600x30", f'{SVC}"500"}}': "0+6x30"},
        [("25m", "TraefikHighServerErrorRatio", []), ("25m", "MetricAbsent", [])],
    ),
    Scenario(
        "16% errors at 12 requests a second: fires",
        {f'{SVC}"200"}}': "0+600x30", f'{SVC}"502"}}': "0+120x30"},
        [("25m", "TraefikHighServerErrorRatio", [{"service": "app-web@kubernetes"}])],
    ),
    Scenario(
        "only errors, but under one request a second: silent",
        {f'{SVC}"500"}}': "0+30x30"},
        [("25m", "TraefikHighServerErrorRatio", [])],
    ),
    Scenario(
        "no traefik metrics: the guard fires",
        {},
        [("20m", "MetricAbsent", absent("traefik_service_requests_total"))],
    ),
]

EXTERNAL_DNS = [
    Scenario(
        "syncing without errors: silent",
        {
            "external_dns_source_errors_total": "0x180",
            "external_dns_registry_errors_total": "0x180",
            # The last sync tracks the clock (time() is 60 s per minute from 0).
            "external_dns_controller_last_sync_timestamp_seconds": "0+60x180",
        },
        [
            ("150m", "ExternalDnsErrors", []),
            ("150m", "ExternalDnsSyncStale", []),
            ("150m", "MetricAbsent", []),
        ],
    ),
    Scenario(
        "registry errors and a sync stuck at the start: both fire",
        {
            "external_dns_source_errors_total": "0x180",
            "external_dns_registry_errors_total": "0+1x180",
            "external_dns_controller_last_sync_timestamp_seconds": "0x180",
        },
        [
            ("40m", "ExternalDnsErrors", [{}]),
            ("60m", "ExternalDnsSyncStale", []),
            ("80m", "ExternalDnsSyncStale", [{}]),
        ],
    ),
    Scenario(
        "no ExternalDNS metrics: three guards fire",
        {},
        [
            (
                "20m",
                "MetricAbsent",
                absent(
                    "external_dns_controller_last_sync_timestamp_seconds",
                    "external_dns_registry_errors_total",
                    "external_dns_source_errors_total",
                ),
            )
        ],
    ),
]
