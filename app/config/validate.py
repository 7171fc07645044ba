"""Semantic rules for the configuration, each naming the field and the fix."""

from __future__ import annotations

import re
from collections import Counter

import yaml

from app.config.model import NodePool, WildsideConfig
from wildside_constructs.catalogue import BY_KEY
from wildside_constructs.problems import Problem

# A DNS label is also a safe single path segment: no '/', no '..', no upper case.
DNS_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
EMAIL = re.compile(r"^[^@\s]+@([a-z0-9-]+\.)+[a-z]{2,63}$", re.IGNORECASE)
REGION = re.compile(r"^[a-z]{3}[0-9]$")
# "latest", a minor ("1.33") resolved to its newest patch, or an exact DOKS slug.
K8S_VERSION = re.compile(r"^(latest|[0-9]+\.[0-9]+|[0-9]+\.[0-9]+\.[0-9]+-do\.[0-9]+)$")
GIT_URL = re.compile(r"^(https://|ssh://|git@)[^\s]+$")
BRANCH = re.compile(r"^(?!/)(?!.*//)(?!.*\.\.)(?!.*@\{)(?!.*\.lock$)[A-Za-z0-9._/-]+(?<![/.])$")
GO_NUMBER = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


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


def _pool(index: int, pool: NodePool) -> list[Problem]:
    where = f"node_pools[{index}]"
    found = _label(f"{where}.name", pool.name, "a pool name must be a DNS label:")
    if not pool.size.strip():
        found.append(Problem(f"{where}.size", "must not be empty; use a droplet slug"))
    if pool.auto_scale:
        if pool.min_nodes is None or pool.max_nodes is None:
            found.append(Problem(where, "auto_scale needs min_nodes and max_nodes"))
        elif not 1 <= pool.min_nodes <= pool.max_nodes:
            found.append(
                Problem(f"{where}.min_nodes", "must be at least 1 and no more than max_nodes")
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
        found += _stays_text(f"cluster.{name}", getattr(cluster, name))
    return found


def _stays_text(field: str, value: str) -> list[Problem]:
    """Flux substitutes text before re-reading YAML: ``123`` or ``on`` would retype."""
    # Flux parses with Go's YAML, which also reads forms like 1e3 as numbers.
    if not value or (isinstance(yaml.safe_load(value), str) and not GO_NUMBER.match(value)):
        return []
    return [
        Problem(
            field,
            f"{value!r} reads as a number, boolean or null once Flux substitutes it into "
            "a YAML manifest; include a letter (e.g. 'c123')",
        )
    ]


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
    if not BRANCH.match(config.gitops.branch):
        found.append(Problem("gitops.branch", f"{config.gitops.branch!r} is not a branch name"))
    if config.state.backend == "s3" and not config.state.bucket:
        found.append(Problem("state.bucket", "is required when state.backend is 's3'"))
    return found


def _components(config: WildsideConfig) -> list[Problem]:
    found: list[Problem] = []
    enabled = set(config.components.enabled())
    for key in sorted(enabled & set(BY_KEY)):
        settings = config.settings[key]
        found += settings.problems(key)
        for needed, reason in sorted(settings.requires().items()):
            if needed in enabled:
                continue
            env = f"WILDSIDE_ENABLE_{needed.upper()}"
            found.append(
                Problem(
                    f"components.{needed}",
                    f"is off, but {key} needs it ({reason}); enable it "
                    f"(components.{needed} = true or {env}=true) or switch {key} off",
                )
            )
    return found


def validate(config: WildsideConfig) -> list[Problem]:
    return _cluster(config) + _pools(config) + _gitops_and_state(config) + _components(config)
