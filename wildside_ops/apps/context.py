"""What rendering the apps repository needs from the whole configuration."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.config.model import WildsideConfig
from app.runtime import PROJECT_ROOT
from wildside_constructs.settings.apps import AppsSettings

__all__ = ["DEFAULT_APPS_DIR", "AppContext"]

DEFAULT_APPS_DIR = PROJECT_ROOT / ".apps-gitops"
# Names the platform side fixes (wildside_constructs.platform): the Vault store,
# the ingress controller's namespace and the shared databases' namespace.
VAULT_STORE = "vault-kv"
TRAEFIK_NAMESPACE = "traefik"
DATABASES_NAMESPACE = "databases"
POSTGRES_PORT = 5432


@dataclass(frozen=True)
class AppContext:
    """The ``[apps]`` settings plus the platform names previews connect to."""

    apps: AppsSettings
    db_cluster: str
    db_image: str
    superuser_secret: str
    workdir: Path
    remote: str | None
    author_name: str
    author_email: str

    @property
    def db_host(self) -> str:
        return f"{self.db_cluster}-rw.{DATABASES_NAMESPACE}.svc.cluster.local"

    @classmethod
    def from_config(cls, config: WildsideConfig) -> AppContext:
        apps = config.settings["apps"].resolved(config.cluster.domain)
        cnpg = config.settings["cnpg"]
        superuser, _app = cnpg.credentials.secret_names(cnpg.name, config.components.enabled())
        return cls(
            apps=apps,
            db_cluster=cnpg.name,
            db_image=cnpg.image,
            superuser_secret=superuser,
            workdir=Path(apps.dir) if apps.dir else DEFAULT_APPS_DIR,
            remote=apps.remote or None,
            author_name=config.gitops.author_name,
            author_email=config.gitops.author_email,
        )
