"""The secrets a run reads from Vault, and where they live by default.

Every path sits under ``wildside/<cluster>/`` in the KV v2 mount. That prefix
is also what the cluster's External Secrets Operator may read (see
``k8s_auth``), so entries only CI needs are marked ``cluster_readable=False``
and the ESO policy denies them explicitly.

Overrides map a secret name to ``"path#key"``; ``${cluster_name}`` in the
path is replaced by the cluster's name, as elsewhere in the configuration.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from wildside_ops.vault.errors import VaultConfigError

SECRET_PREFIX = "wildside"  # noqa: S105 - a path prefix, not a password
CLUSTER_PLACEHOLDER = "${cluster_name}"
KUBECONFIG_PATH = f"{SECRET_PREFIX}/{CLUSTER_PLACEHOLDER}/kubeconfig"
KUBECONFIG_KEY = "kubeconfig"

_CLUSTER_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_PATH = re.compile(r"^[A-Za-z0-9_.${}-]+(/[A-Za-z0-9_.${}-]+)*$")
_KEY = re.compile(r"^[A-Za-z0-9_.-]+$")


@dataclass(frozen=True)
class SecretRef:
    """One key of one KV v2 secret (path relative to the mount)."""

    path: str
    key: str

    def __str__(self) -> str:
        return f"{self.path}#{self.key}"


@dataclass(frozen=True)
class SecretPath:
    name: str
    path: str
    key: str
    description: str
    cluster_readable: bool


SECRET_PATHS: tuple[SecretPath, ...] = (
    SecretPath(
        "digitalocean_token",
        f"{SECRET_PREFIX}/{CLUSTER_PLACEHOLDER}/digitalocean",
        "token",
        "DigitalOcean API token the run provisions the cluster with",
        cluster_readable=False,
    ),
    SecretPath(
        "spaces_access_key",
        f"{SECRET_PREFIX}/{CLUSTER_PLACEHOLDER}/spaces",
        "access_key_id",
        "Spaces (S3) access key ID for the OpenTofu state bucket",
        cluster_readable=False,
    ),
    SecretPath(
        "spaces_secret_key",
        f"{SECRET_PREFIX}/{CLUSTER_PLACEHOLDER}/spaces",
        "secret_access_key",
        "Spaces (S3) secret access key for the OpenTofu state bucket",
        cluster_readable=False,
    ),
    SecretPath(
        "cloudflare_api_token",
        f"{SECRET_PREFIX}/{CLUSTER_PLACEHOLDER}/cloudflare",
        "api_token",
        "Cloudflare DNS token; cert-manager and external-dns read it in-cluster too",
        cluster_readable=True,
    ),
    SecretPath(
        "gitops_token",
        f"{SECRET_PREFIX}/{CLUSTER_PLACEHOLDER}/gitops",
        "token",
        "Token that lets the run push to the GitOps repository",
        cluster_readable=False,
    ),
    SecretPath(
        "state_passphrase",
        f"{SECRET_PREFIX}/{CLUSTER_PLACEHOLDER}/state",
        "passphrase",
        "OpenTofu state encryption passphrase",
        cluster_readable=False,
    ),
)

NAMES: tuple[str, ...] = tuple(entry.name for entry in SECRET_PATHS)
_BY_NAME = {entry.name: entry for entry in SECRET_PATHS}


def check_cluster_name(cluster: str) -> str:
    """Cluster names become Vault paths and policy text, so only DNS labels pass."""
    if not _CLUSTER_NAME.match(cluster):
        raise VaultConfigError(
            f"cluster name {cluster!r} must be a DNS label (lower-case letters, digits and "
            "hyphens, at most 63 characters) to be used in Vault paths and policies"
        )
    return cluster


def expand(template: str, cluster: str, *, what: str = "path") -> str:
    path = template.replace(CLUSTER_PLACEHOLDER, check_cluster_name(cluster))
    if "$" in path or "{" in path or "}" in path:
        raise VaultConfigError(
            f"{what} {template!r} has a placeholder other than {CLUSTER_PLACEHOLDER}"
        )
    return path


def parse_ref(text: str, *, what: str = "secret reference") -> SecretRef:
    """Parse ``"path#key"``; the path is relative to the KV mount."""
    path, sep, key = text.partition("#")
    problem = None
    if not sep:
        problem = "has no '#': write it as 'path#key', e.g. 'wildside/${cluster_name}/x#token'"
    elif "#" in key:
        problem = "has more than one '#'"
    elif not path or path.startswith("/") or path.endswith("/"):
        problem = "needs a path relative to the KV mount, without leading or trailing '/'"
    elif not _PATH.match(path) or ".." in path.split("/"):
        problem = "has characters not allowed in a path (letters, digits, '_.-' and '/')"
    elif not _KEY.match(key):
        problem = "needs a key of letters, digits, '_', '.' or '-' after the '#'"
    if problem:
        raise VaultConfigError(f"{what} {text!r} {problem}")
    return SecretRef(path, key)


def resolve(cluster: str, overrides: Mapping[str, str] | None = None) -> dict[str, SecretRef]:
    """Every secret path for one cluster, overrides applied."""
    check_cluster_name(cluster)
    overrides = dict(overrides or {})
    unknown = sorted(set(overrides) - set(NAMES))
    if unknown:
        raise VaultConfigError(
            f"unknown secret name(s) {', '.join(unknown)}; known names: {', '.join(NAMES)}"
        )
    resolved: dict[str, SecretRef] = {}
    for entry in SECRET_PATHS:
        what = f"override for {entry.name}"
        if entry.name in overrides:
            ref = parse_ref(overrides[entry.name], what=what)
        else:
            ref = SecretRef(entry.path, entry.key)
        resolved[entry.name] = SecretRef(expand(ref.path, cluster, what=what), ref.key)
    return resolved


def subset(refs: Mapping[str, SecretRef], names: Iterable[str]) -> dict[str, SecretRef]:
    """Only the named entries, so a step reads no more than it needs."""
    wanted = list(names)
    unknown = [name for name in wanted if name not in refs]
    if unknown:
        raise VaultConfigError(f"unknown secret name(s) {', '.join(unknown)}")
    return {name: refs[name] for name in wanted}


def kubeconfig_ref(cluster: str, path: str | None = None, key: str = KUBECONFIG_KEY) -> SecretRef:
    """Where the cluster's kubeconfig is stored (``path`` may use ``${cluster_name}``)."""
    what = "kubeconfig location"
    ref = parse_ref(f"{path or KUBECONFIG_PATH}#{key}", what=what)
    return SecretRef(expand(ref.path, cluster, what=what), ref.key)


def ci_only_paths(
    cluster: str,
    overrides: Mapping[str, str] | None = None,
    kubeconfig_path: str | None = None,
) -> list[str]:
    """Paths under the cluster's prefix that its in-cluster workloads must not read."""
    refs = resolve(cluster, overrides)
    paths = [refs[e.name].path for e in SECRET_PATHS if not e.cluster_readable]
    paths.append(kubeconfig_ref(cluster, kubeconfig_path).path)
    readable = {refs[e.name].path for e in SECRET_PATHS if e.cluster_readable}
    prefix = f"{SECRET_PREFIX}/{cluster}/"
    # A path shared with a cluster-readable entry cannot be denied without
    # breaking that entry; the caller's configuration chose to share it.
    return sorted({p for p in paths if p.startswith(prefix) and p not in readable})
