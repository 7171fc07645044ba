"""Map the typed configuration onto the stacks' settings (no CDKTF imports here)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from app.config.model import WildsideConfig
from wildside_constructs.model import ClusterContext
from wildside_constructs.registry import BY_KEY

if TYPE_CHECKING:
    from stacks.cluster_stack import ClusterStackSettings
    from stacks.state import StackState
    from stacks.vault_stack import VaultStackSettings
    from wildside_constructs.cluster.doks import DoksClusterSettings


def cluster_context(config: WildsideConfig) -> ClusterContext:
    cluster = config.cluster
    return ClusterContext(
        name=cluster.name,
        environment=cluster.environment,
        domain=cluster.domain,
        acme_email=cluster.acme_email,
        enabled=enabled_components(config),
        app_namespaces=cluster.app_namespaces,
    )


def enabled_components(config: WildsideConfig) -> tuple[str, ...]:
    """Enabled component keys in registry order (the order dependencies resolve)."""
    on = set(config.components.enabled())
    return tuple(key for key in BY_KEY if key in on)


def platform_settings(config: WildsideConfig) -> dict[str, Any]:
    return {key: config.settings[key] for key in enabled_components(config)}


def doks_settings(config: WildsideConfig) -> DoksClusterSettings:
    from wildside_constructs.cluster.doks import DoksClusterSettings, NodePoolSettings

    cluster = config.cluster
    pools = tuple(
        NodePoolSettings(
            name=pool.name,
            size=pool.size,
            count=pool.count,
            auto_scale=pool.auto_scale,
            min_nodes=pool.min_nodes,
            max_nodes=pool.max_nodes,
            labels=dict(pool.labels),
            taints=tuple((t.key, t.value, t.effect) for t in pool.taints),
            tags=pool.tags,
        )
        for pool in config.node_pools
    )
    return DoksClusterSettings(
        name=cluster.name,
        region=cluster.region,
        kubernetes_version=cluster.kubernetes_version,
        node_pools=pools,
        allow_destroy=cluster.allow_destroy,
        ha=cluster.ha,
        auto_upgrade=cluster.auto_upgrade,
        surge_upgrade=cluster.surge_upgrade,
        tags=cluster.tags,
        maintenance_day=cluster.maintenance.day,
        maintenance_start_time=cluster.maintenance.start_time,
        vpc_uuid=(cluster.vpc.uuid or None) if cluster.vpc else None,
    )


def cluster_stack_settings(
    config: WildsideConfig, environ: Mapping[str, str]
) -> ClusterStackSettings:
    """cluster-stack's settings; ``environ`` names the engine (TERRAFORM_BINARY_NAME)."""
    from stacks.cluster_stack import ClusterFluxSettings, ClusterStackSettings
    from wildside_constructs.cluster.vpc import DoksVpcSettings

    cluster, flux = config.cluster, config.flux
    vpc = cluster.vpc
    flux_url, known_hosts = flux_source(config)
    return ClusterStackSettings(
        cluster=doks_settings(config),
        vpc=DoksVpcSettings(
            cluster_name=cluster.name,
            region=cluster.region,
            ip_range=vpc.ip_range,
            allow_destroy=cluster.allow_destroy,
        )
        if vpc is not None and vpc.create
        else None,
        state=stack_state(config, environ),
        flux=ClusterFluxSettings(
            repository_url=flux_url,
            branch=config.gitops.branch,
            kube_auth=flux.kube_auth,
            revision=flux.revision,
            image_digest=flux.cli_digest,
            auth=config.gitops.auth,
            known_hosts=known_hosts,
        )
        if flux.bootstrap
        else None,
    )


def flux_source(config: WildsideConfig) -> tuple[str, str]:
    """The URL Flux clones and, over SSH, the known_hosts lines it trusts."""
    from wildside_constructs.cluster.git_ssh import bundled_known_hosts, ssh_target

    gitops = config.gitops
    if gitops.auth != "ssh":
        return gitops.repository_url, ""
    target = ssh_target(gitops.repository_url)
    if target is None:  # validation refuses this first; never synthesise a guess
        raise ValueError(f"gitops.repository_url {gitops.repository_url!r} has no SSH form")
    lines = gitops.known_hosts.strip() or bundled_known_hosts(target).strip()
    return target.url, lines + "\n"


def stack_state(config: WildsideConfig, environ: Mapping[str, str]) -> StackState:
    """One backend for every stack of a cluster; each stack gets its own key."""
    from stacks.state import MIN_PASSPHRASE, PASSPHRASE_ENV, StackState

    engine = environ.get("TERRAFORM_BINARY_NAME", "").strip() or "tofu"
    return StackState(
        cluster=config.cluster.name,
        settings=config.state,
        engine=engine,
        passphrase_set=bool(environ.get(PASSPHRASE_ENV, "")),
        passphrase_long_enough=len(environ.get(PASSPHRASE_ENV, "")) >= MIN_PASSPHRASE,
    )


def vault_stack_settings(
    config: WildsideConfig, environ: Mapping[str, str]
) -> VaultStackSettings | None:
    """vault-stack's settings, or None when there is no ``[vault_appliance]`` table."""
    if config.vault_appliance is None:
        return None
    from stacks.vault_stack import VaultStackSettings
    from wildside_constructs.vault_appliance.construct_settings import VaultConstructSettings

    return VaultStackSettings(
        appliance=VaultConstructSettings.from_settings(config.vault_appliance),
        state=stack_state(config, environ),
    )
