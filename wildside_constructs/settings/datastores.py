"""Checks and choices shared by the data-store components (cnpg and valkey).

Both keep state on block storage, both take credentials from Vault, from their
operator or from a Secret the user creates, and both hand per-cluster values to
Flux as textual substitutions, so they validate the same kinds of value.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Literal, cast, get_args

from wildside_constructs.problems import Problem
from wildside_constructs.settings.text import reads_as_text

# "auto": Vault when vault_eso runs on the cluster, the operator otherwise;
# "vault": always Vault (vault_eso must be on); "operator": the operator
# generates and keeps the credentials; "secret": Secrets the user creates.
CredentialSource = Literal["auto", "vault", "operator", "secret"]
CREDENTIAL_SOURCES: tuple[str, ...] = get_args(CredentialSource)
Resolved = Literal["vault", "operator", "secret"]
CLUSTER_NAME_PLACEHOLDER = "${cluster_name}"

# A PersistentVolumeClaim size: a unit is required, because Flux substitutes
# textually and a bare number would reach the API as an integer.
_STORAGE = re.compile(r"^[1-9][0-9]*(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)$")
# A StorageClass name: a DNS subdomain.
STORAGE_CLASS = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_SEGMENT = r"[A-Za-z0-9_.-]+"
_VAULT_PATH = re.compile(rf"^{_SEGMENT}(/{_SEGMENT})*$")


def resolve_source(source: str, enabled: Collection[str]) -> Resolved:
    """The credential source a cluster running ``enabled`` components uses."""
    if source == "auto":
        return "vault" if "vault_eso" in enabled else "operator"
    for resolved in get_args(Resolved):
        if source == resolved:
            return cast(Resolved, resolved)
    raise ValueError(f"unknown credential source {source!r}")


def source_problems(where: str, source: str) -> list[Problem]:
    if source in CREDENTIAL_SOURCES:
        return []
    choices = ", ".join(repr(s) for s in CREDENTIAL_SOURCES)
    return [Problem(where, f"must be one of {choices}, got {source!r}")]


def storage_problems(where: str, size: str, storage_class: str) -> list[Problem]:
    found: list[Problem] = []
    if not _STORAGE.match(size):
        found.append(
            Problem(
                f"{where}.storage_size",
                f"{size!r} is not a volume size: give a Kubernetes quantity with a unit, "
                "such as 10Gi or 500Mi",
            )
        )
    if not storage_class or not STORAGE_CLASS.match(storage_class) or len(storage_class) > 253:
        found.append(
            Problem(
                f"{where}.storage_class",
                f"{storage_class!r} is not a StorageClass name (lower-case DNS subdomain, "
                "e.g. do-block-storage)",
            )
        )
    elif not reads_as_text(storage_class):
        found.append(Problem(f"{where}.storage_class", f"{storage_class!r} would become a number"))
    return found


def vault_path_problems(where: str, path: str) -> list[Problem]:
    """A KV path relative to the mount, with ``${cluster_name}`` as its only placeholder."""
    plain = path.replace(CLUSTER_NAME_PLACEHOLDER, "cluster")
    if not path:
        return [Problem(where, "must not be empty; give a Vault KV path")]
    if not _VAULT_PATH.match(plain):
        return [
            Problem(
                where,
                f"{path!r} is not a Vault KV path: use segments of letters, digits, '_', '.', "
                "'-' joined by '/', with ${cluster_name} as the only placeholder",
            )
        ]
    if not reads_as_text(plain):
        return [Problem(where, f"{path!r} would become a number")]
    return []


def for_cluster(text: str, cluster_name: str) -> str:
    """``text`` with ``${cluster_name}`` replaced; Flux does not substitute inside a value."""
    return text.replace(CLUSTER_NAME_PLACEHOLDER, cluster_name)
