"""The rules a DOKS cluster's settings must follow (no CDKTF imports).

One copy of each rule, with its message: the configuration loader
(``app/config/validate.py``) applies them to the ``[cluster]``, ``[[node_pools]]``
and ``[flux]`` tables, and the cluster constructs apply them to their settings
when built, so a construct composed directly in Python refuses exactly what a
configuration file would, in the same words. Each function takes the field
name to report, since the two name the same value differently
(``cluster.region`` in a file, ``region`` on ``DoksClusterSettings``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from wildside_constructs.cluster.flux_sync import FLUX_CLI_IMAGE
from wildside_constructs.problems import Problem

# A DNS label is also a safe single path segment: no '/', no '..', no upper case.
DNS_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
REGION = re.compile(r"^[a-z]{3}[0-9]$")
# "latest", a minor ("1.33") resolved to its newest patch, or an exact DOKS slug.
K8S_VERSION = re.compile(r"^(latest|[0-9]+\.[0-9]+|[0-9]+\.[0-9]+\.[0-9]+-do\.[0-9]+)$")
TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
# Kubernetes label/taint keys: an optional DNS-subdomain prefix and '/', then a name.
K8S_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
_DNS_PART = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
K8S_PREFIX = re.compile(rf"^(?=.{{1,253}}$){_DNS_PART}(\.{_DNS_PART})*$")
DO_TAG = re.compile(r"^[A-Za-z0-9:_-]{1,255}$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
CIDR = re.compile(r"^(10|172|192)\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}/(1[6-9]|2[0-8])$")
GIT_URL = re.compile(r"^(https://|ssh://|git@)[^\s]+$")
DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
# The configuration's TaintEffect and Weekday (app/config/model.py) allow the same.
TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
WEEKDAYS = ("any", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
BRANCH_FIX = "give a branch name git accepts, e.g. 'main'"
TAG_RULE = "is not a DigitalOcean tag: use letters, digits, ':', '-' and '_' (1-255)"
CLUSTER_NAME_RULE = "the cluster name names folders and DNS:"
VERSION_RULE = (
    "is not a version: use 'latest', a minor such as '1.33', or an exact slug such as '1.33.1-do.3'"
)
DIGEST_HOW = (
    f"`crane digest {FLUX_CLI_IMAGE}` or `docker buildx imagetools inspect {FLUX_CLI_IMAGE}`"
)


def label_problems(field: str, value: str, what: str) -> list[Problem]:
    """``value`` must be a DNS label; ``what`` says what it names, ending in ':'."""
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


def pattern_problems(
    field: str, value: str, pattern: re.Pattern[str], reason: str
) -> list[Problem]:
    return [] if pattern.match(value) else [Problem(field, f"{value!r} {reason}")]


def region_problems(field: str, region: str) -> list[Problem]:
    return pattern_problems(field, region, REGION, "is not a region (e.g. nyc1)")


def version_problems(field: str, version: str, *, auto_upgrade: bool) -> list[Problem]:
    found = pattern_problems(field, version, K8S_VERSION, VERSION_RULE)
    if auto_upgrade and "-do." in version:
        found.append(
            Problem(
                field,
                "an exact slug with auto_upgrade = true would make every plan undo "
                "DigitalOcean's upgrades; use a minor such as '1.33' or 'latest'",
            )
        )
    return found


def start_time_problems(field: str, start_time: str) -> list[Problem]:
    return pattern_problems(field, start_time, TIME, "is not HH:MM (24-hour)")


def tag_problems(where: str, tags: Iterable[str]) -> list[Problem]:
    """Each tag of ``where`` (reported as ``where[index]``) must be a DigitalOcean tag."""
    return [
        Problem(f"{where}[{index}]", f"{tag!r} {TAG_RULE}")
        for index, tag in enumerate(tags)
        if not DO_TAG.match(tag)
    ]


def vpc_uuid_problems(field: str, uuid: str) -> list[Problem]:
    return pattern_problems(field, uuid, UUID, "is not a VPC id (a UUID)")


def ip_range_problems(field: str, ip_range: str) -> list[Problem]:
    if not ip_range or CIDR.match(ip_range):
        return []
    reason = "is not a private IPv4 range from /16 to /28 (e.g. 10.10.0.0/16)"
    return [Problem(field, f"{ip_range!r} {reason}")]


def k8s_key_problems(field: str, key: str) -> list[Problem]:
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


def k8s_value_problems(field: str, value: str) -> list[Problem]:
    if not value or K8S_NAME.match(value):
        return []
    return [
        Problem(
            field,
            f"{value!r} is not a Kubernetes label value: up to 63 letters, digits, '-', '_' "
            "or '.', starting and ending with a letter or digit (or empty)",
        )
    ]


def pool_problems(
    where: str,
    *,
    name: str,
    size: str,
    count: int | None,
    auto_scale: bool,
    min_nodes: int | None,
    max_nodes: int | None,
    labels: Mapping[str, str],
    taints: Sequence[tuple[str, str]],
    tags: Sequence[str],
) -> list[Problem]:
    """One node pool, reported under ``where`` (``node_pools[0]``); taints as (key, value)."""
    found = label_problems(f"{where}.name", name, "a pool name must be a DNS label:")
    for key, value in sorted(labels.items()):
        found += k8s_key_problems(f"{where}.labels.{key}", key)
        found += k8s_value_problems(f"{where}.labels.{key}", value)
    for index, (key, value) in enumerate(taints):
        found += k8s_key_problems(f"{where}.taints[{index}].key", key)
        found += k8s_value_problems(f"{where}.taints[{index}].value", value)
    found += tag_problems(f"{where}.tags", tags)
    if not size.strip():
        found.append(Problem(f"{where}.size", "must not be empty; use a droplet slug"))
    if auto_scale:
        if min_nodes is None or max_nodes is None:
            found.append(Problem(where, "auto_scale needs min_nodes and max_nodes"))
        elif not 1 <= min_nodes <= max_nodes:
            found.append(
                Problem(f"{where}.min_nodes", "must be at least 1 and no more than max_nodes")
            )
        elif count is not None and not min_nodes <= count <= max_nodes:
            found.append(
                Problem(f"{where}.count", "must lie between min_nodes and max_nodes (or be unset)")
            )
    elif count is None or count < 1:
        found.append(
            Problem(f"{where}.count", "must be at least 1 (or set auto_scale with min/max)")
        )
    return found


def pool_name_problems(field: str, names: Iterable[str]) -> list[Problem]:
    """Pool names are the extra pools' keys, so each may appear once."""
    return [
        Problem(field, f"pool name {name!r} is used {count} times")
        for name, count in Counter(names).items()
        if count > 1
    ]


def repository_url_problems(field: str, url: str) -> list[Problem]:
    if GIT_URL.match(url):
        return []
    return [Problem(field, "must be an https://, ssh:// or git@ URL for Flux")]


def revision_problems(field: str, revision: int) -> list[Problem]:
    return [] if revision >= 1 else [Problem(field, "must be at least 1")]


def digest_problems(field: str, digest: str) -> list[Problem]:
    """An empty digest runs the image by tag alone (whether that is allowed is the caller's)."""
    if digest and not DIGEST.match(digest):
        return [Problem(field, f"{digest!r} is not sha256:<64 hex>; get it with {DIGEST_HOW}")]
    return []


def branch_problems(field: str, branch: str) -> list[Problem]:
    """What is wrong with ``branch`` without asking git (``git check-ref-format`` says more)."""
    if not branch or branch.startswith("-") or CONTROL.search(branch) or branch == "@":
        return [Problem(field, f"{branch!r} is not a branch name; {BRANCH_FIX}")]
    return []


def choice_problems(field: str, value: object, allowed: Sequence[object]) -> list[Problem]:
    """In the words the configuration loader uses for a value outside its ``Literal``."""
    if value in allowed:
        return []
    choices = ", ".join(repr(choice) for choice in allowed)
    return [Problem(field, f"must be one of {choices}, got {value!r}")]


def allow_destroy_problems(field: str, value: object) -> list[Problem]:
    """Only an explicit ``True`` switches destroy protection off (``"false"`` is truthy)."""
    if isinstance(value, bool):
        return []
    return [
        Problem(
            field,
            f"must be True or False, got {value!r}: it switches destroy protection off, "
            "so it takes an explicit bool",
        )
    ]
