"""The component registry: every platform component, registered exactly once.

Adding a component is its settings module, its construct module and one entry
in :data:`COMPONENTS` (docs/adding-a-component.md). Everything else derives
from the entry: the ``[components]`` switches and the ``[<key>]`` table of the
configuration, ``WILDSIDE_ENABLE_<KEY>``, the action's ``enable_<key>`` input,
the GitOps folder ``platform/<folder>/``, the Flux Kustomizations' part-of
label and the ``<key>_contract`` output. Tests fail when a hand-written list
(``app/config/example.toml``, the action's ``action.yml``) disagrees with it.

The construct is named by ``"module:Class"`` and imported only when rendered,
so loading the registry (as configuration does) never loads CDKTF.
"""

from __future__ import annotations

import importlib
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from wildside_constructs.problems import Problem
from wildside_constructs.settings.apps import AppsSettings
from wildside_constructs.settings.cert_manager import CertManagerSettings
from wildside_constructs.settings.cnpg import CnpgSettings
from wildside_constructs.settings.external_dns import ExternalDnsSettings
from wildside_constructs.settings.observability import ObservabilitySettings
from wildside_constructs.settings.rabbitmq import RabbitmqSettings
from wildside_constructs.settings.sops import SopsSettings
from wildside_constructs.settings.traefik import TraefikSettings
from wildside_constructs.settings.valkey import ValkeySettings
from wildside_constructs.settings.vault import VaultEsoSettings

if TYPE_CHECKING:
    from wildside_constructs.platform.component import PlatformComponent


class Settings(Protocol):
    """What the registry needs of a settings class (besides field defaults)."""

    def problems(self, where: str) -> list[Problem]: ...

    def requires(self) -> dict[str, str]:
        """Component keys this configuration needs enabled, with the reason."""
        ...


@dataclass(frozen=True)
class ComponentSpec:
    """One platform component, as the rest of the program sees it."""

    # Configuration key: the [<key>] table, components.<key>, <key>_contract.
    key: str
    # GitOps folder under platform/ (it may differ from the key: cnpg -> databases).
    folder: str
    # Human title, for docs and the action's input description.
    title: str
    # The settings dataclass read from the [<key>] table.
    settings: type[Any]
    # "module:Class" of the construct, imported only when the component renders.
    construct: str
    # The [components] switch's default (and the action input's).
    enabled_by_default: bool = True

    @property
    def env(self) -> str:
        """The environment variable that switches the component on or off."""
        return f"WILDSIDE_ENABLE_{self.key.upper()}"

    @property
    def action_input(self) -> str:
        """The composite action's input that switches the component."""
        return f"enable_{self.key}"

    @property
    def platform_folder(self) -> str:
        return f"platform/{self.folder}"

    def construct_class(self) -> type[PlatformComponent]:
        module, _, name = self.construct.partition(":")
        cls: type[PlatformComponent] = getattr(importlib.import_module(module), name)
        return cls


# In dependency order: a component may rely on any component listed before it.
COMPONENTS: tuple[ComponentSpec, ...] = (
    ComponentSpec(
        key="traefik",
        folder="traefik",
        title="Traefik ingress",
        settings=TraefikSettings,
        construct="wildside_constructs.platform.traefik:Traefik",
    ),
    ComponentSpec(
        key="cert_manager",
        folder="cert-manager",
        title="cert-manager and ACME issuers",
        settings=CertManagerSettings,
        construct="wildside_constructs.platform.cert_manager:CertManager",
    ),
    ComponentSpec(
        key="external_dns",
        folder="external-dns",
        title="ExternalDNS (Cloudflare)",
        settings=ExternalDnsSettings,
        construct="wildside_constructs.platform.external_dns:ExternalDns",
    ),
    ComponentSpec(
        key="vault_eso",
        folder="vault",
        title="Vault and External Secrets Operator",
        settings=VaultEsoSettings,
        construct="wildside_constructs.platform.vault_eso:VaultEso",
    ),
    ComponentSpec(
        key="cnpg",
        folder="databases",
        title="CloudNativePG (PostGIS)",
        settings=CnpgSettings,
        construct="wildside_constructs.platform.cnpg:Cnpg",
    ),
    ComponentSpec(
        key="valkey",
        folder="redis",
        title="Valkey (hyperspike operator)",
        settings=ValkeySettings,
        construct="wildside_constructs.platform.valkey:Valkey",
    ),
    ComponentSpec(
        key="rabbitmq",
        folder="messaging",
        title="RabbitMQ (cluster and topology operators)",
        settings=RabbitmqSettings,
        construct="wildside_constructs.platform.rabbitmq:Rabbitmq",
    ),
    ComponentSpec(
        key="sops",
        folder="secrets",
        title="Secrets in Git (SOPS + age)",
        settings=SopsSettings,
        construct="wildside_constructs.platform.sops:Sops",
        # Off until the cluster has its own age key ([sops] age_recipients).
        enabled_by_default=False,
    ),
    ComponentSpec(
        key="apps",
        folder="apps",
        title="the application and its pull-request previews",
        settings=AppsSettings,
        construct="wildside_constructs.platform.apps:Apps",
    ),
    # Last: it monitors every component rendered before it.
    ComponentSpec(
        key="observability",
        folder="observability",
        title="Observability (Prometheus, Alertmanager, Grafana, OpenTelemetry)",
        settings=ObservabilitySettings,
        construct="wildside_constructs.platform.observability:Observability",
    ),
)

BY_KEY: dict[str, ComponentSpec] = {spec.key: spec for spec in COMPONENTS}


def spec_of(cls: type[Any]) -> ComponentSpec:
    """The registry entry of a construct class (or of the class it extends)."""
    by_construct = {spec.construct: spec for spec in COMPONENTS}
    for klass in cls.__mro__:
        spec = by_construct.get(f"{klass.__module__}:{klass.__qualname__}")
        if spec is not None:
            return spec
    raise LookupError(
        f"{cls.__qualname__} is not registered: add a ComponentSpec for it to "
        "wildside_constructs/registry.py (docs/adding-a-component.md)"
    )


def settings_problems(key: str, settings: Any, enabled: Collection[str]) -> list[Problem]:
    """Everything wrong with a component's settings on a cluster running ``enabled``.

    The configuration loader and the construct itself both report these, so a
    construct built directly refuses exactly what a configuration file would.
    """
    spec = BY_KEY.get(key)
    if spec is not None and not isinstance(settings, spec.settings):
        expected, got = spec.settings.__name__, type(settings).__name__
        return [Problem(key, f"expected {expected} settings, got {got}")]
    found: list[Problem] = list(settings.problems(key))
    for needed, reason in sorted(settings.requires().items()):
        if needed in enabled:
            continue
        env = BY_KEY[needed].env if needed in BY_KEY else f"WILDSIDE_ENABLE_{needed.upper()}"
        found.append(
            Problem(
                f"components.{needed}",
                f"is off, but {key} needs it ({reason}); enable it "
                f"(components.{needed} = true or {env}=true) or switch {key} off",
            )
        )
    return found
