"""Alerts for Flux, cert-manager, External Secrets, Traefik and ExternalDNS.

Thresholds are deliberately few and documented in ``docs/observability.md``.
Where a component publishes rules, ours adapt them and name the source.
"""

from __future__ import annotations

from wildside_constructs.observability.alerting import Alert

# kube-state-metrics' custom resource state (configured in the stack's values, as
# in fluxcd/flux2-monitoring-example) exports one gotk_resource_info series per
# Flux object, with ready="True|False|Unknown" and suspended="true|false" labels.
FLUX_KINDS = 'customresource_kind=~"Kustomization|HelmRelease"'
FLUX_BY = "max by (customresource_kind, exported_namespace, name)"


def flux_alerts() -> list[Alert]:
    return [
        Alert(
            name="FluxReconciliationFailing",
            expr=f'{FLUX_BY} (gotk_resource_info{{{FLUX_KINDS}, ready="False"}}) == 1',
            for_="15m",
            severity="critical",
            summary="A Flux Kustomization or HelmRelease has not been Ready for 15 minutes.",
            runbook=(
                "Run `flux get all -A --status-selector ready=false`, then "
                "`kubectl -n <exported_namespace> describe <kind> <name>` for the failing "
                "condition; check its dependsOn units and the source revision first."
            ),
            metrics=("gotk_resource_info",),
        ),
        Alert(
            name="FluxResourceSuspended",
            expr=f'{FLUX_BY} (gotk_resource_info{{{FLUX_KINDS}, suspended="true"}}) == 1',
            for_="2h",
            severity="warning",
            summary="A Flux Kustomization or HelmRelease has been suspended for 2 hours.",
            runbook=(
                "Someone ran `flux suspend`; ask in the team channel, then "
                "`flux resume <kind> <name> -n <exported_namespace>` once the change is done: "
                "while suspended, Git changes to it are not applied."
            ),
            metrics=("gotk_resource_info",),
        ),
    ]


CERT_MANAGER_SOURCE = (
    "adapted from cert-manager-mixin (imusmanmalik/cert-manager-mixin) "
    "CertManagerCertExpirySoon and CertManagerCertNotReady"
)


def cert_manager_alerts(expiry_days: int = 14) -> list[Alert]:
    return [
        Alert(
            name="CertificateExpiringSoon",
            expr=(
                "avg by (exported_namespace, name) "
                "(certmanager_certificate_expiration_timestamp_seconds - time()) "
                f"< ({expiry_days} * 24 * 3600)"
            ),
            for_="1h",
            severity="critical",
            summary=f"A certificate expires within {expiry_days} days and has not been renewed.",
            runbook=(
                "cert-manager renews 30 days before expiry, so renewal is failing: "
                "`kubectl -n <exported_namespace> describe certificate <name>`, then its "
                "CertificateRequest and Order/Challenge; check the ClusterIssuer and the "
                "DNS-01 credentials."
            ),
            metrics=("certmanager_certificate_expiration_timestamp_seconds",),
            source=CERT_MANAGER_SOURCE,
        ),
        Alert(
            name="CertificateNotReady",
            expr=(
                "max by (exported_namespace, name) "
                '(certmanager_certificate_ready_status{condition!="True"}) == 1'
            ),
            for_="15m",
            severity="warning",
            summary="A certificate has not been Ready for 15 minutes.",
            runbook=(
                "`kubectl -n <exported_namespace> describe certificate <name>`; read the "
                "Ready condition's reason, then the latest CertificateRequest and Challenge "
                "(`kubectl get challenges -A`)."
            ),
            metrics=("certmanager_certificate_ready_status",),
            source=CERT_MANAGER_SOURCE,
        ),
    ]


def external_secrets_alerts() -> list[Alert]:
    return [
        Alert(
            name="ExternalSecretSyncFailing",
            expr=(
                "max by (exported_namespace, name) "
                '(externalsecret_status_condition{condition="Ready", status="False"}) == 1'
            ),
            for_="15m",
            severity="critical",
            summary="An ExternalSecret has failed to sync from Vault for 15 minutes.",
            runbook=(
                "`kubectl -n <exported_namespace> describe externalsecret <name>`; then "
                "`kubectl describe clustersecretstore` (Vault reachable, AppRole or "
                "Kubernetes login valid) and whether the Vault path still exists."
            ),
            metrics=("externalsecret_status_condition",),
            source="external-secrets docs/api/metrics.md (Ready condition gauge)",
        ),
    ]


def traefik_alerts(max_5xx_ratio: float = 0.05) -> list[Alert]:
    total = "sum by (service) (rate(traefik_service_requests_total[5m]))"
    errors = 'sum by (service) (rate(traefik_service_requests_total{code=~"5.."}[5m]))'
    return [
        Alert(
            name="TraefikHighServerErrorRatio",
            # At least one request a second, so a single error on an idle service
            # does not page.
            expr=f"({errors} / {total}) > {max_5xx_ratio} and {total} > 1",
            for_="10m",
            severity="critical",
            summary=f"More than {max_5xx_ratio:.0%} of a service's responses are 5xx.",
            runbook=(
                "Open the Traefik dashboard in Grafana for the service; check its "
                "backend pods (`kubectl get pods`, logs, restarts) and recent deploys; "
                "502/504 point at the backend, 500 at the application."
            ),
            metrics=("traefik_service_requests_total",),
        ),
    ]


def external_dns_alerts() -> list[Alert]:
    errors = (
        "sum(increase(external_dns_source_errors_total[15m])) "
        "+ sum(increase(external_dns_registry_errors_total[15m]))"
    )
    return [
        Alert(
            name="ExternalDnsErrors",
            expr=f"({errors}) > 0",
            for_="15m",
            severity="warning",
            summary="ExternalDNS keeps failing to read sources or write DNS records.",
            runbook=(
                "`kubectl -n external-dns logs deploy/external-dns`; registry errors "
                "mean the Cloudflare token (from Vault) or zone is wrong, source errors "
                "mean it cannot read Ingress/Service objects (RBAC)."
            ),
            metrics=("external_dns_registry_errors_total", "external_dns_source_errors_total"),
        ),
        Alert(
            name="ExternalDnsSyncStale",
            expr="time() - max(external_dns_controller_last_sync_timestamp_seconds) > 3600",
            for_="15m",
            severity="warning",
            summary="ExternalDNS has not completed a sync for an hour.",
            runbook=(
                "`kubectl -n external-dns get pods` and its logs; a stuck sync is usually "
                "Cloudflare rate limiting or an unreachable API."
            ),
            metrics=("external_dns_controller_last_sync_timestamp_seconds",),
        ),
    ]
