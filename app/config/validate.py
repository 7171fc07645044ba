"""Semantic rules for the configuration, each naming the field and the fix."""

from __future__ import annotations

import re

from app.config.checks import input_problems, text_problems
from app.config.model import NodePool, WildsideConfig
from app.config.ssh_auth import ssh_auth_problems
from wildside_constructs.cluster import rules
from wildside_constructs.problems import Problem
from wildside_constructs.registry import BY_KEY, settings_problems
from wildside_constructs.settings.apps import apps_problems

DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
EMAIL = re.compile(r"^[^@\s]+@([a-z0-9-]+\.)+[a-z]{2,63}$", re.IGNORECASE)
ENDPOINT = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?/?$")
BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
KEY_PREFIX = re.compile(r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$")


def _pool(index: int, pool: NodePool) -> list[Problem]:
    # The same rules NodePoolSettings applies when DoksCluster is built.
    return rules.pool_problems(
        f"node_pools[{index}]",
        name=pool.name,
        size=pool.size,
        count=pool.count,
        auto_scale=pool.auto_scale,
        min_nodes=pool.min_nodes,
        max_nodes=pool.max_nodes,
        labels=pool.labels,
        taints=[(taint.key, taint.value) for taint in pool.taints],
        tags=pool.tags,
    )


def _cluster(config: WildsideConfig) -> list[Problem]:
    cluster = config.cluster
    # The rules DoksClusterSettings applies too (wildside_constructs/cluster/rules.py).
    found = rules.label_problems("cluster.name", cluster.name, rules.CLUSTER_NAME_RULE)
    found += rules.label_problems("cluster.environment", cluster.environment, "the environment")
    found += rules.region_problems("cluster.region", cluster.region)
    found += rules.version_problems(
        "cluster.kubernetes_version", cluster.kubernetes_version, auto_upgrade=cluster.auto_upgrade
    )
    found += rules.pattern_problems(
        "cluster.domain", cluster.domain, DOMAIN, "is not a lower-case domain"
    )
    found += rules.pattern_problems(
        "cluster.acme_email", cluster.acme_email, EMAIL, "is not an e-mail address"
    )
    found += rules.start_time_problems(
        "cluster.maintenance.start_time", cluster.maintenance.start_time
    )
    for name in ("name", "environment", "domain"):
        # Only a value that passed its pattern can be mistaken for another type.
        if not any(problem.field == f"cluster.{name}" for problem in found):
            found += text_problems(f"cluster.{name}", getattr(cluster, name))
    found += rules.tag_problems("cluster.tags", cluster.tags)
    return found + _vpc(config)


def _vpc(config: WildsideConfig) -> list[Problem]:
    vpc = config.cluster.vpc
    if vpc is None:
        return []
    found: list[Problem] = []
    if vpc.create and vpc.uuid:
        found.append(Problem("cluster.vpc", "set either create = true or uuid, not both"))
    if not vpc.create and not vpc.uuid:
        found.append(
            Problem("cluster.vpc", "set create = true (new VPC) or uuid (existing VPC), or drop it")
        )
    if vpc.uuid:
        found += rules.vpc_uuid_problems("cluster.vpc.uuid", vpc.uuid)
    if vpc.ip_range and not vpc.create:
        found.append(Problem("cluster.vpc.ip_range", "only applies with create = true"))
    found += rules.ip_range_problems("cluster.vpc.ip_range", vpc.ip_range)
    return found


def _pools(config: WildsideConfig) -> list[Problem]:
    found: list[Problem] = []
    if not config.node_pools:
        found.append(Problem("node_pools", "at least one [[node_pools]] table is required"))
    for index, pool in enumerate(config.node_pools):
        found += _pool(index, pool)
    return found + rules.pool_name_problems("node_pools", (p.name for p in config.node_pools))


def _gitops_and_state(config: WildsideConfig) -> list[Problem]:
    found: list[Problem] = []
    found += rules.repository_url_problems("gitops.repository_url", config.gitops.repository_url)
    if config.state.backend == "s3" and not config.state.bucket:
        found.append(Problem("state.bucket", "is required when state.backend is 's3'"))
    return found + _state(config) + _flux(config)


def _state(config: WildsideConfig) -> list[Problem]:
    state = config.state
    found: list[Problem] = []
    if state.bucket and not BUCKET.match(state.bucket):
        found.append(Problem("state.bucket", f"{state.bucket!r} is not a bucket name"))
    if state.endpoint and not ENDPOINT.match(state.endpoint):
        found.append(
            Problem(
                "state.endpoint",
                f"{state.endpoint!r} is not an endpoint URL such as "
                "https://nyc3.digitaloceanspaces.com",
            )
        )
    if not KEY_PREFIX.match(state.key_prefix):
        found.append(
            Problem(
                "state.key_prefix",
                f"{state.key_prefix!r} must be '/'-separated names of letters, digits, '-', '_'",
            )
        )
    if state.backend == "s3" and state.encryption is False and not state.allow_unencrypted:
        found.append(
            Problem(
                "state.encryption",
                "is false for remote state, which holds the cluster's credentials in plain "
                "text; remove it (encryption is on by default for s3) or, to accept plain-text "
                "state, also set state.allow_unencrypted = true "
                "(WILDSIDE_STATE_ALLOW_UNENCRYPTED=true)",
            )
        )
    return found


def _flux(config: WildsideConfig) -> list[Problem]:
    found: list[Problem] = []
    gitops = config.gitops
    if config.flux.bootstrap and gitops.auth == "ssh":
        found += ssh_auth_problems(gitops)
    elif config.flux.bootstrap and not gitops.repository_url.startswith("https://"):
        found.append(
            Problem(
                "gitops.repository_url",
                "the Flux bootstrap reads the repository over HTTPS (with an optional token "
                'from TF_VAR_flux_git_token); use an https:// URL, set gitops.auth = "ssh" '
                "to use the deploy key over SSH, or set flux.bootstrap = false",
            )
        )
    found += rules.revision_problems("flux.revision", config.flux.revision)
    return found + _flux_digest(config)


def _flux_digest(config: WildsideConfig) -> list[Problem]:
    digest = config.flux.cli_digest
    how = rules.DIGEST_HOW
    if digest:
        return rules.digest_problems("flux.cli_digest", digest)
    if config.flux.bootstrap and config.state.backend == "s3":
        return [
            Problem(
                "flux.cli_digest",
                "is required for a cluster with remote state: the bootstrap Job runs with "
                f"cluster-wide rights, so its image is pinned by digest too; get it with {how} "
                "(WILDSIDE_FLUX_CLI_DIGEST)",
            )
        ]
    return []


def _components(config: WildsideConfig) -> list[Problem]:
    enabled = config.components.enabled()
    found: list[Problem] = []
    for key in sorted(set(enabled) & set(BY_KEY)):
        found += settings_problems(key, config.settings[key], enabled)
    return found


def _vault_appliance(config: WildsideConfig) -> list[Problem]:
    appliance = config.vault_appliance
    return appliance.problems("vault_appliance") if appliance is not None else []


def validate(config: WildsideConfig) -> list[Problem]:
    found = _cluster(config) + _pools(config) + _gitops_and_state(config)
    found += _components(config) + _vault_appliance(config) + _apps_zone(config)
    return found + input_problems(config)


def _apps_zone(config: WildsideConfig) -> list[Problem]:
    """The preview domain must lie in the zone the cluster's DNS and certificates use."""
    if "apps" not in config.components.enabled():
        return []
    zone = config.cluster.domain
    apps = config.settings["apps"]
    found = [p for p in apps_problems(apps, zone) if p.field.endswith("domain")]
    enabled = config.components.enabled()
    hosts_previews = apps.preview_cluster == config.cluster.name
    if hosts_previews and "cnpg" in enabled and not config.settings["cnpg"].superuser_access:
        # Each preview's role Job (and the role reaper) logs in as postgres.
        found.append(
            Problem(
                "cnpg.superuser_access",
                f"is false, but this cluster hosts the pull-request previews "
                f"(apps.preview_cluster = {apps.preview_cluster!r}), which create each "
                "preview's role as the postgres superuser; set cnpg.superuser_access = true, "
                "or name another cluster in apps.preview_cluster",
            )
        )
    return found
