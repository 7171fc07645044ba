"""Settings of the application delivered through the apps GitOps repository.

The ``[apps]`` table: which application, where its GitOps repository lives,
which chart it ships as, and how pull-request previews are bounded. Read by
``wildside app …`` (the fast path, no CDKTF) and by the platform stack, which
points Flux at the repository.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from wildside_constructs.capacity import Workload
from wildside_constructs.problems import Problem
from wildside_constructs.settings.common import Resources

__all__ = ["REAPER_RESOURCES", "AppsSettings", "PreviewLimits", "apps_problems", "ttl_seconds"]

DNS_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
GIT_URL = re.compile(r"^(https://|ssh://|git@)[^\s]+$")
BRANCH = re.compile(r"^(?!/)(?!.*//)(?!.*\.\.)(?!.*@\{)(?!.*\.lock$)[A-Za-z0-9._/-]+(?<![/.])$")
# The label every preview namespace carries (value pr-<N>); the databases
# namespace admits PostgreSQL connections from namespaces that have it.
PREVIEW_LABEL = "wildside.dev/preview"
# Semantic version, exact: a preview must never float to a chart nobody reviewed.
SEMVER = re.compile(r"^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")
CHART_URL = re.compile(r"^(oci://|https://)[a-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._-]+)*/?$")
QUANTITY = re.compile(r"^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$")
DURATION = re.compile(r"^([0-9]+)([hd])$")
REPOSITORY = re.compile(r"^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$")
LABEL = re.compile(r"^[^\s,][^,]{0,49}$")
VAULT_PATH = re.compile(r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_${}-]+)*$")
# Each container of the preview-role reaper (kubectl, then psql; one at a time).
REAPER_RESOURCES = Resources(
    cpu_request="10m", memory_request="32Mi", cpu_limit="200m", memory_limit="128Mi"
)


@dataclass(frozen=True)
class PreviewLimits:
    """What one preview namespace may use (ResourceQuota) and per-container defaults."""

    cpu: str = "2"
    memory: str = "4Gi"
    pods: int = 20
    container_cpu_request: str = "50m"
    container_memory_request: str = "128Mi"
    container_cpu_limit: str = "500m"
    container_memory_limit: str = "512Mi"


@dataclass(frozen=True)
class AppsSettings:
    """``[apps]`` (switch: ``components.apps``); every field has a working default."""

    # The application's name: a DNS label, names the HelmRelease and Vault paths.
    name: str = "wildside"
    # The apps GitOps repository Flux pulls, and where `wildside app` publishes.
    repository_url: str = "https://github.com/example/wildside-apps.git"
    branch: str = "main"
    # Local working tree; empty means the git-ignored `.apps-gitops/` in the project.
    dir: str = ""
    # URL or path to clone from and push to; empty means local only.
    remote: str = ""
    # The chart: an OCI repository (oci://…/<chart>) or a Helm repository
    # (https://…, then chart_name names the chart in it), at an exact version.
    chart_url: str = "oci://ghcr.io/example/charts/wildside"
    chart_name: str = ""
    chart_version: str = "0.1.0"
    # Images the chart runs, set by `deploy --image NAME=REF` (values images.<name>).
    images: tuple[str, ...] = ("backend", "frontend")
    # The cluster whose Flux applies overlays/ephemeral, and the previews' domain
    # (inside cluster.domain; empty: previews.<cluster.domain>): preview N is
    # served at pr-N.<preview_domain>.
    preview_cluster: str = "dev"
    preview_domain: str = ""
    limits: PreviewLimits = field(default_factory=PreviewLimits)
    # Previews not updated for this long are removed by `gc` ("12h", "7d").
    preview_ttl: str = "7d"
    max_previews: int = 20
    # Pull-request labels: previews are opt-in; "keep" exempts one from the TTL.
    opt_in_label: str = "preview"
    keep_label: str = "preview:keep"
    # Put preview hosts behind basic auth (a traefik Middleware; users from Vault).
    basic_auth: bool = False
    # A database on the shared cluster to copy each preview's from (CREATE
    # DATABASE … TEMPLATE); empty creates an empty one.
    seed_template: str = ""
    # Application secrets: <vault_prefix>/<environment> and <vault_prefix>/previews.
    vault_prefix: str = "wildside/apps/${app}"
    # GitHub feedback (sticky comment, Deployment): owner/repository of the app.
    github_repository: str = "example/wildside"
    github_api_url: str = "https://api.github.com"

    def problems(self, where: str) -> list[Problem]:
        """Every problem but the zone check, which needs cluster.domain (apps_problems)."""
        return [
            Problem(p.field.replace("apps.", f"{where}.", 1), p.message)
            for p in apps_problems(self, "")
        ]

    def workloads(self) -> list[Workload]:
        # The preview-role reaper runs on the preview cluster only, but these
        # settings do not know which cluster they are read for: counted
        # wherever apps is on, at 10m and 32Mi (its containers run in turn).
        return [Workload("preview-role-reaper", 1, REAPER_RESOURCES)]

    def requires(self) -> dict[str, str]:
        # Previews also need cnpg, vault_eso, traefik and cert_manager on the
        # preview cluster; the Flux Kustomizations wait for whichever of them
        # the cluster renders (docs/previews.md) rather than refusing here.
        return {}

    def resolved(self, zone: str) -> AppsSettings:
        """These settings with an empty preview_domain made previews.<zone>."""
        return replace(self, preview_domain=self.preview_domain or f"previews.{zone}")

    def vault_base(self) -> str:
        return self.vault_prefix.replace("${app}", self.name)

    def preview_host(self, number: int) -> str:
        return f"pr-{number}.{self.preview_domain}"


def ttl_seconds(text: str) -> int:
    """Seconds in a validated ``preview_ttl`` ("12h", "7d")."""
    found = DURATION.match(text)
    if found is None:
        raise ValueError(f"not a duration: {text!r}")
    return int(found.group(1)) * (3600 if found.group(2) == "h" else 86400)


def _check(problems: list[Problem], ok: bool, field_name: str, message: str) -> None:
    if not ok:
        problems.append(Problem(f"apps.{field_name}", message))


def _limit_problems(limits: PreviewLimits) -> list[Problem]:
    problems: list[Problem] = []
    for name in (
        "cpu",
        "memory",
        "container_cpu_request",
        "container_memory_request",
        "container_cpu_limit",
        "container_memory_limit",
    ):
        value = getattr(limits, name)
        _check(
            problems,
            bool(QUANTITY.match(value)),
            f"limits.{name}",
            f"{value!r} is not a Kubernetes quantity; write e.g. '500m', '2' or '512Mi'",
        )
    _check(problems, limits.pods >= 1, "limits.pods", "must be at least 1")
    return problems


def _source_problems(apps: AppsSettings) -> list[Problem]:
    problems: list[Problem] = []
    _check(
        problems,
        bool(GIT_URL.match(apps.repository_url)),
        "repository_url",
        f"{apps.repository_url!r} is not a git URL Flux can pull; use https://, ssh:// or git@",
    )
    _check(
        problems,
        bool(BRANCH.match(apps.branch)),
        "branch",
        f"{apps.branch!r} is not a valid branch name",
    )
    _check(
        problems,
        bool(CHART_URL.match(apps.chart_url)),
        "chart_url",
        f"{apps.chart_url!r} is not a chart repository; give oci://<registry>/<path>/<chart> "
        "or the https:// URL of a Helm repository",
    )
    helm_repo = apps.chart_url.startswith("https://")
    _check(
        problems,
        not helm_repo or bool(DNS_LABEL.match(apps.chart_name)),
        "chart_name",
        "a Helm repository (https://) needs the chart's name; set chart_name",
    )
    _check(
        problems,
        bool(SEMVER.match(apps.chart_version)),
        "chart_version",
        f"{apps.chart_version!r} is not an exact version; pin one such as '1.4.2'",
    )
    return problems


def _preview_problems(apps: AppsSettings, zone: str) -> list[Problem]:
    problems: list[Problem] = []
    domain = apps.preview_domain
    _check(
        problems,
        not zone
        or (bool(DOMAIN.match(domain)) and (domain == zone or domain.endswith(f".{zone}"))),
        "preview_domain",
        f"{domain!r} is not inside the configured zone {zone!r} (cluster.domain); "
        f"use a name such as 'previews.{zone}'",
    )
    _check(
        problems,
        bool(DNS_LABEL.match(apps.preview_cluster)),
        "preview_cluster",
        f"{apps.preview_cluster!r} is not a cluster name; give the DNS label of a cluster",
    )
    _check(
        problems,
        bool(DURATION.match(apps.preview_ttl)) and ttl_seconds(apps.preview_ttl) > 0,
        "preview_ttl",
        f"{apps.preview_ttl!r} is not a duration; write hours or days such as '12h' or '7d'",
    )
    _check(problems, apps.max_previews >= 1, "max_previews", "must be at least 1")
    for name in ("opt_in_label", "keep_label"):
        value = getattr(apps, name)
        _check(
            problems,
            bool(LABEL.match(value)),
            name,
            f"{value!r} is not a GitHub label name (1-50 characters, no comma)",
        )
    _check(
        problems,
        not apps.seed_template or bool(re.match(r"^[a-z_][a-z0-9_]{0,62}$", apps.seed_template)),
        "seed_template",
        f"{apps.seed_template!r} is not a PostgreSQL database name; use lower-case "
        "letters, digits and '_', or leave it empty",
    )
    return problems


def apps_problems(apps: AppsSettings, zone: str) -> list[Problem]:
    """Every problem with ``apps``; ``zone`` is the configured DNS zone (cluster.domain).

    An empty ``zone`` skips the preview domain check.
    """
    problems: list[Problem] = []
    _check(
        problems,
        bool(DNS_LABEL.match(apps.name)) and len(apps.name) <= 40,
        "name",
        f"{apps.name!r} is not a DNS label of at most 40 characters; the app name names "
        "namespaces, releases and Vault paths: use lower-case letters, digits and '-'",
    )
    problems += _source_problems(apps)
    problems += _preview_problems(apps.resolved(zone) if zone else apps, zone)
    problems += _limit_problems(apps.limits)
    images = apps.images
    _check(
        problems,
        bool(images)
        and all(DNS_LABEL.match(image) for image in images)
        and len(set(images)) == len(images),
        "images",
        f"{list(images)!r} must be distinct DNS labels naming the chart's images, "
        "e.g. ['backend', 'frontend']",
    )
    _check(
        problems,
        bool(VAULT_PATH.match(apps.vault_prefix)),
        "vault_prefix",
        f"{apps.vault_prefix!r} is not a Vault path; use segments of letters, digits, "
        "'-' and '_' (${app} is replaced by the app name)",
    )
    _check(
        problems,
        bool(REPOSITORY.match(apps.github_repository)),
        "github_repository",
        f"{apps.github_repository!r} is not owner/name of a GitHub repository",
    )
    _check(
        problems,
        apps.github_api_url.startswith(("https://", "http://127.0.0.1", "http://localhost")),
        "github_api_url",
        f"{apps.github_api_url!r} must be an https:// URL (GitHub or GitHub Enterprise API)",
    )
    return problems
