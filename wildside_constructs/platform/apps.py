"""The application's side of the platform: Flux pulls the apps repository.

A ``GitRepository`` for the apps GitOps repository, and Flux Kustomizations
under ``clusters/<cluster>/`` that apply ``overlays/<environment>`` on a
production or staging cluster and ``overlays/ephemeral`` on the preview
cluster, each after the platform units the application needs. The preview
cluster also gets one wildcard certificate for ``*.<preview domain>`` by
DNS-01, so any number of previews share it and never meet Let's Encrypt's
per-domain limits, and, where it runs CloudNativePG, a CronJob dropping the
login roles of previews torn down (``preview_role_reaper``).
"""

from __future__ import annotations

from typing import Any

from constructs import Construct

from wildside_constructs import flux
from wildside_constructs.model import ClusterContext, DeployUnit
from wildside_constructs.platform.cert_manager import ISSUERS_UNIT
from wildside_constructs.platform.cnpg import CLUSTER_UNIT
from wildside_constructs.platform.component import PlatformComponent
from wildside_constructs.platform.preview_role_reaper import reaper_unit
from wildside_constructs.settings.apps import AppsSettings
from wildside_constructs.settings.cnpg import CnpgSettings
from wildside_constructs.settings.vault import SECRET_STORE_UNIT

LONG_LIVED = ("production", "staging")
TRAEFIK_UNIT = "traefik"
TRAEFIK_NAMESPACE = "traefik"
SOURCE_UNIT = "apps-source"
CERTIFICATE_UNIT = "apps-preview-certificate"
WILDCARD_SECRET = "preview-wildcard-tls"  # noqa: S105 - a Secret's name
ISSUER = "letsencrypt-production"
# Component key -> the unit of it the application waits for.
NEEDS = (
    ("cnpg", CLUSTER_UNIT),
    ("vault_eso", SECRET_STORE_UNIT),
    ("traefik", TRAEFIK_UNIT),
    ("cert_manager", ISSUERS_UNIT),
)


class Apps(PlatformComponent):
    """Point this cluster's Flux at the apps repository's overlay(s)."""

    def __init__(
        self, scope: Construct, id: str, *, context: ClusterContext, settings: AppsSettings
    ) -> None:
        super().__init__(scope, id, context=context, settings=settings)
        apps = settings.resolved(context.domain)
        self.repository = f"{apps.name}-apps"
        self.preview_domain = apps.preview_domain
        self.hosts_previews = context.name == apps.preview_cluster
        enabled = set(context.enabled)
        needs = tuple(unit for key, unit in NEEDS if key in enabled)
        source = self.add_unit(
            DeployUnit(
                name=SOURCE_UNIT,
                folder=f"{self.folder}/source",
                documents={"gitrepository.yaml": self._git_repository(apps)},
            )
        )
        self.overlays: list[str] = []
        if context.environment in LONG_LIVED:
            self._overlay(context.environment, (*needs, source.name))
        if self.hosts_previews:
            after = [*needs, source.name]
            if "cert_manager" in enabled:
                after.append(self._certificate().name)
            self._overlay("ephemeral", tuple(after))
            self._reaper()

    def _git_repository(self, apps: AppsSettings) -> dict[str, Any]:
        return flux.git_repository(
            name=self.repository,
            url=apps.repository_url,
            ref={"branch": apps.branch},
            # Previews should appear within a minute of the commit.
            interval="1m",
            part_of=self.spec.folder,
        )

    def _certificate(self) -> DeployUnit:
        certificate = {
            "apiVersion": "cert-manager.io/v1",
            "kind": "Certificate",
            "metadata": {
                "name": "preview-wildcard",
                "namespace": TRAEFIK_NAMESPACE,
                "labels": flux.labels(self.spec.folder),
            },
            "spec": {
                "secretName": WILDCARD_SECRET,
                "dnsNames": ["*.${apps_preview_domain}"],
                "issuerRef": {"name": ISSUER, "kind": "ClusterIssuer", "group": "cert-manager.io"},
                "privateKey": {"rotationPolicy": "Always"},
            },
        }
        return self.add_unit(
            DeployUnit(
                name=CERTIFICATE_UNIT,
                folder=f"{self.folder}/preview-certificate",
                documents={"certificate.yaml": certificate},
                # The Secret lands in traefik's namespace, which traefik's unit creates.
                depends_on=(ISSUERS_UNIT, TRAEFIK_UNIT)
                if "traefik" in self.context.enabled
                else (ISSUERS_UNIT,),
                variables={"apps_preview_domain": self.preview_domain},
            )
        )

    def _reaper(self) -> None:
        """Drop torn-down previews' roles, with the cnpg cluster's own names and image."""
        cnpg = self.sibling("cnpg")
        contract = getattr(cnpg, "database_contract", None)
        settings = getattr(cnpg, "settings", None)
        if not isinstance(settings, CnpgSettings) or contract is None:
            return  # no PostgreSQL here (or this construct built alone): no preview roles
        self.add_unit(
            reaper_unit(
                self.folder,
                cluster_name=contract.cluster_name,
                image=settings.image,
                superuser_secret=contract.superuser_secret,
                after=(contract.cluster_unit,),
            )
        )

    def _overlay(self, environment: str, after: tuple[str, ...]) -> None:
        self.overlays.append(environment)
        self.add_unit(
            DeployUnit(
                name=f"apps-{environment}",
                folder=f"{self.folder}/{environment}",
                documents={},
                depends_on=after,
                source=self.repository,
                path=f"./overlays/{environment}",
                # One failing preview must not hold the others back.
                wait=environment != "ephemeral",
            )
        )

    def contract(self) -> dict[str, Any]:
        return {
            "repository": self.repository,
            "overlays": list(self.overlays),
            "preview_domain": self.preview_domain if self.hosts_previews else "",
            "wildcard_secret": WILDCARD_SECRET if self.hosts_previews else "",
        }
