"""Semantic rules for the configuration, each naming the field and the fix."""

from __future__ import annotations

import re
from collections import Counter

from app.config.checks import input_problems, text_problems
from app.config.model import NodePool, WildsideConfig
from app.config.ssh_auth import ssh_auth_problems
from wildside_constructs.problems import Problem
from wildside_constructs.registry import BY_KEY, settings_problems
from wildside_constructs.settings.apps import apps_problems

# A DNS label is also a safe single path segment: no '/', no '..', no upper case.
DNS_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
EMAIL = re.compile(r"^[^@\s]+@([a-z0-9-]+\.)+[a-z]{2,63}$", re.IGNORECASE)
REGION = re.compile(r"^[a-z]{3}[0-9]$")
# "latest", a minor ("1.33") resolved to its newest patch, or an exact DOKS slug.
K8S_VERSION = re.compile(r"^(latest|[0-9]+\.[0-9]+|[0-9]+\.[0-9]+\.[0-9]+-do\.[0-9]+)$")
GIT_URL = re.compile(r"^(https://|ssh://|git@)[^\s]+$")
TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
# Kubernetes label/taint keys: an optional DNS-subdomain prefix and '/', then a name.
K8S_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
_DNS_PART = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
K8S_PREFIX = re.compile(rf"^(?=.{{1,253}}$){_DNS_PART}(\.{_DNS_PART})*$")
DO_TAG = re.compile(r"^[A-Za-z0-9:_-]{1,255}$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
CIDR = re.compile(r"^(10|172|192)\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}/(1[6-9]|2[0-8])$")
ENDPOINT = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?/?$")
BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
KEY_PREFIX = re.compile(r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$")
_TAG_RULE = "is not a DigitalOcean tag: use letters, digits, ':', '-' and '_' (1-255)"


def _label(field: str, value: str, what: str) -> list[Problem]:
    if DNS_LABEL.match(value):
        return []
    if not value:
        reason = "must not be empty"
    elif len(value) > 63:
        reason = f"is {len(value)} characters; at most 63 are allowed"
    else:
        reason = f"{value!r} is not a DNS label"
    fix = "use lower-case letters, digits and '-', starting and ending with a letter or digit"
    return [Problem(field, f"{reason}; {what} {fix}")]


def _k8s_key(field: str, key: str) -> list[Problem]:
    prefix, _, name = key.rpartition("/")
    if K8S_NAME.match(name) and (not prefix or K8S_PREFIX.match(prefix)):
        return []
    return [
        Problem(
            field,
            f"{key!r} is not a Kubernetes key: use an optional DNS prefix and '/', then up to "
            "63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
        )
    ]


def _k8s_value(field: str, value: str) -> list[Problem]:
    if not value or K8S_NAME.match(value):
        return []
    return [
        Problem(
            field,
            f"{value!r} is not a Kubernetes label value: up to 63 letters, digits, '-', '_' "
            "or '.', starting and ending with a letter or digit (or empty)",
        )
    ]


def _pool_metadata(where: str, pool: NodePool) -> list[Problem]:
    found: list[Problem] = []
    for key, value in sorted(pool.labels.items()):
        found += _k8s_key(f"{where}.labels.{key}", key)
        found += _k8s_value(f"{where}.labels.{key}", value)
    for index, taint in enumerate(pool.taints):
        found += _k8s_key(f"{where}.taints[{index}].key", taint.key)
        found += _k8s_value(f"{where}.taints[{index}].value", taint.value)
    for index, tag in enumerate(pool.tags):
        if not DO_TAG.match(tag):
            found.append(Problem(f"{where}.tags[{index}]", f"{tag!r} {_TAG_RULE}"))
    return found


def _pool(index: int, pool: NodePool) -> list[Problem]:
    where = f"node_pools[{index}]"
    found = _label(f"{where}.name", pool.name, "a pool name must be a DNS label:")
    found += _pool_metadata(where, pool)
    if not pool.size.strip():
        found.append(Problem(f"{where}.size", "must not be empty; use a droplet slug"))
    if pool.auto_scale:
        if pool.min_nodes is None or pool.max_nodes is None:
            found.append(Problem(where, "auto_scale needs min_nodes and max_nodes"))
        elif not 1 <= pool.min_nodes <= pool.max_nodes:
            found.append(
                Problem(f"{where}.min_nodes", "must be at least 1 and no more than max_nodes")
            )
        elif pool.count is not None and not pool.min_nodes <= pool.count <= pool.max_nodes:
            found.append(
                Problem(f"{where}.count", "must lie between min_nodes and max_nodes (or be unset)")
            )
    elif pool.count is None or pool.count < 1:
        found.append(
            Problem(f"{where}.count", "must be at least 1 (or set auto_scale with min/max)")
        )
    return found


def _cluster(config: WildsideConfig) -> list[Problem]:
    cluster = config.cluster
    found = _label("cluster.name", cluster.name, "the cluster name names folders and DNS:")
    found += _label("cluster.environment", cluster.environment, "the environment")
    checks = (
        ("region", REGION, cluster.region, "is not a region (e.g. nyc1)"),
        (
            "kubernetes_version",
            K8S_VERSION,
            cluster.kubernetes_version,
            "is not a version: use 'latest', a minor such as '1.33', "
            "or an exact slug such as '1.33.1-do.3'",
        ),
        ("domain", DOMAIN, cluster.domain, "is not a lower-case domain"),
        ("acme_email", EMAIL, cluster.acme_email, "is not an e-mail address"),
        ("maintenance.start_time", TIME, cluster.maintenance.start_time, "is not HH:MM (24-hour)"),
    )
    for name, pattern, value, reason in checks:
        if not pattern.match(value):
            found.append(Problem(f"cluster.{name}", f"{value!r} {reason}"))
    for name in ("name", "environment", "domain"):
        # Only a value that passed its pattern can be mistaken for another type.
        if not any(problem.field == f"cluster.{name}" for problem in found):
            found += text_problems(f"cluster.{name}", getattr(cluster, name))
    for index, tag in enumerate(cluster.tags):
        if not DO_TAG.match(tag):
            found.append(Problem(f"cluster.tags[{index}]", f"{tag!r} {_TAG_RULE}"))
    if cluster.auto_upgrade and "-do." in cluster.kubernetes_version:
        found.append(
            Problem(
                "cluster.kubernetes_version",
                "an exact slug with auto_upgrade = true would make every plan undo "
                "DigitalOcean's upgrades; use a minor such as '1.33' or 'latest'",
            )
        )
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
    if vpc.uuid and not UUID.match(vpc.uuid):
        found.append(Problem("cluster.vpc.uuid", f"{vpc.uuid!r} is not a VPC id (a UUID)"))
    if vpc.ip_range and not vpc.create:
        found.append(Problem("cluster.vpc.ip_range", "only applies with create = true"))
    if vpc.ip_range and not CIDR.match(vpc.ip_range):
        found.append(
            Problem(
                "cluster.vpc.ip_range",
                f"{vpc.ip_range!r} is not a private IPv4 range from /16 to /28 (e.g. 10.10.0.0/16)",
            )
        )
    return found


def _pools(config: WildsideConfig) -> list[Problem]:
    found: list[Problem] = []
    if not config.node_pools:
        found.append(Problem("node_pools", "at least one [[node_pools]] table is required"))
    for index, pool in enumerate(config.node_pools):
        found += _pool(index, pool)
    for name, count in Counter(pool.name for pool in config.node_pools).items():
        if count > 1:
            found.append(Problem("node_pools", f"pool name {name!r} is used {count} times"))
    return found


def _gitops_and_state(config: WildsideConfig) -> list[Problem]:
    found: list[Problem] = []
    if not GIT_URL.match(config.gitops.repository_url):
        found.append(
            Problem("gitops.repository_url", "must be an https://, ssh:// or git@ URL for Flux")
        )
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


DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


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
    if config.flux.revision < 1:
        found.append(Problem("flux.revision", "must be at least 1"))
    return found + _flux_digest(config)


def _flux_digest(config: WildsideConfig) -> list[Problem]:
    from wildside_constructs.cluster.flux_sync import FLUX_CLI_IMAGE

    digest = config.flux.cli_digest
    how = f"`crane digest {FLUX_CLI_IMAGE}` or `docker buildx imagetools inspect {FLUX_CLI_IMAGE}`"
    if digest and not DIGEST.match(digest):
        return [Problem("flux.cli_digest", f"{digest!r} is not sha256:<64 hex>; get it with {how}")]
    if not digest and config.flux.bootstrap and config.state.backend == "s3":
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
