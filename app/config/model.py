"""The typed cluster configuration.

Everything a run needs is here, frozen, so constructs receive plain values and
never read the environment themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field, make_dataclass
from typing import TYPE_CHECKING, Any, Literal

from wildside_constructs.registry import COMPONENTS
from wildside_constructs.settings.state import StateSettings
from wildside_constructs.vault_appliance.settings import VaultApplianceSettings

__all__ = ["StateSettings"]  # the [state] table: defined once, beside the stacks' other settings


TaintEffect = Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]
Weekday = Literal[
    "any", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"
]


@dataclass(frozen=True)
class Taint:
    key: str
    value: str = ""
    effect: TaintEffect = "NoSchedule"


@dataclass(frozen=True)
class NodePool:
    """A DOKS node pool; the first one is the cluster's default pool."""

    name: str
    size: str
    count: int | None = None
    auto_scale: bool = False
    min_nodes: int | None = None
    max_nodes: int | None = None
    labels: dict[str, str] = field(default_factory=dict)
    taints: tuple[Taint, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Maintenance:
    day: Weekday = "sunday"
    start_time: str = "04:00"


@dataclass(frozen=True)
class VpcSettings:
    """Either create a VPC (``ip_range`` optional) or attach to ``uuid``."""

    create: bool = False
    ip_range: str = ""
    uuid: str = ""


@dataclass(frozen=True)
class ClusterSettings:
    name: str
    environment: str
    region: str
    kubernetes_version: str
    domain: str
    acme_email: str
    allow_destroy: bool = False
    ha: bool = False
    auto_upgrade: bool = False
    surge_upgrade: bool = True
    tags: tuple[str, ...] = ()
    # Namespaces your applications run in; cnpg/valkey/rabbitmq client_namespaces may name
    # them (besides the platform's own). See docs/network-policies.md.
    app_namespaces: tuple[str, ...] = ()
    maintenance: Maintenance = field(default_factory=Maintenance)
    vpc: VpcSettings | None = None


@dataclass(frozen=True)
class GitOpsSettings:
    """Where Flux pulls from, and where this run publishes to."""

    repository_url: str
    branch: str = "main"
    # Local working tree; empty means the git-ignored `.gitops/` in the project.
    dir: str = ""
    # URL or local path to clone from and push to; empty means local only.
    remote: str = ""
    author_name: str = "wildside-infra-k8s"
    author_email: str = "wildside-infra-k8s@users.noreply.github.com"
    # How long a publish keeps retrying rejected pushes (many publishers at once).
    push_budget_seconds: float = 300.0
    # How Flux authenticates to repository_url (docs/flux-bootstrap.md): "https"
    # (an optional token) or "ssh" (the deploy key `wildside gitops bootstrap` keeps in Vault).
    auth: Literal["https", "ssh"] = "https"
    # auth "ssh": known_hosts lines for the Git host; empty means the GitHub keys
    # shipped in wildside_constructs/cluster/ssh_known_hosts.toml.
    known_hosts: str = ""
    # auth "ssh": KV path of the deploy key; empty means wildside/gitops/<owner>/<name>/deploy-key.
    deploy_key_vault_path: str = ""


@dataclass(frozen=True)
class FluxSettings:
    """How cluster-stack bootstraps Flux on the new cluster (docs/flux-bootstrap.md)."""

    bootstrap: bool = True
    # "exec": doctl mints a short-lived token on each run; "token": the token
    # DigitalOcean returns with the cluster (held in state, expires after 7 days).
    kube_auth: Literal["exec", "token"] = "exec"
    # Bump to re-run the bootstrap Job with unchanged inputs (e.g. after a manual removal).
    revision: int = 1
    # sha256:<64 hex> of ghcr.io/fluxcd/flux-cli:v<FLUX_VERSION>; required with s3 state.
    cli_digest: str = ""


def _enabled(self: Any) -> tuple[str, ...]:
    """The keys switched on, in registry order."""
    return tuple(spec.key for spec in COMPONENTS if getattr(self, spec.key))


if TYPE_CHECKING:

    class Components:
        """Per-cluster switches: one ``bool`` per registered component key."""

        def __init__(self, **switches: bool) -> None: ...

        def __getattr__(self, key: str) -> bool: ...

        def enabled(self) -> tuple[str, ...]: ...

else:
    # One field per registry entry (on unless the entry says otherwise), so the
    # [components] table, WILDSIDE_ENABLE_<KEY> and `wildside config` follow it.
    Components = make_dataclass(
        "Components",
        [(spec.key, bool, field(default=spec.enabled_by_default)) for spec in COMPONENTS],
        frozen=True,
        namespace={
            "enabled": _enabled,
            "__doc__": "Per-cluster switches; each maps to ``WILDSIDE_ENABLE_<KEY>``.",
        },
    )
    Components.__module__ = __name__


@dataclass(frozen=True)
class WildsideConfig:
    cluster: ClusterSettings
    node_pools: tuple[NodePool, ...]
    gitops: GitOpsSettings
    state: StateSettings = field(default_factory=StateSettings)
    flux: FluxSettings = field(default_factory=FluxSettings)
    components: Components = field(default_factory=Components)
    # Component key -> that component's settings dataclass (see the registry).
    settings: dict[str, Any] = field(default_factory=dict)
    # The shared Vault (vault-stack); None, the default, synthesises no such stack.
    vault_appliance: VaultApplianceSettings | None = None
    source: str = ""
