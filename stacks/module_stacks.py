"""Stacks whose synthesised JSON becomes the plain modules in ``infra-modules/``.

Each wraps one construct cluster-stack uses, with TerraformVariables as its
inputs and TerraformOutputs as its results, so the modules and the stack come
from one source. Provider blocks are stripped by the generator (app/modules.py):
a module inherits its providers from the caller.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cdktf import (
    TerraformOutput,
    TerraformStack,
    TerraformVariable,
    TerraformVariableValidationConfig,
    Token,
)
from cdktf_cdktf_provider_digitalocean.provider import DigitaloceanProvider
from constructs import Construct

from wildside_constructs.cluster.doks import DoksCluster, DoksClusterSettings
from wildside_constructs.cluster.git_ssh import SshTarget, bundled_known_hosts, private_key_check
from wildside_constructs.cluster.protection import protect
from wildside_constructs.cluster.values import Ref

if TYPE_CHECKING:
    from wildside_constructs.cluster.flux_git_secret import FluxSshKey

POOL_TYPE = (
    "list(object({ name = string, size = string, node_count = optional(number), "
    "auto_scale = optional(bool, false), min_nodes = optional(number), "
    "max_nodes = optional(number), labels = optional(map(string), {}), "
    'taints = optional(list(object({ key = string, value = optional(string, ""), '
    "effect = string })), []), tags = optional(list(string), []) }))"
)
DNS_LABEL = "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"
# HCL's && and || do not short-circuit: try() guards comparisons with null.
POOL_RULES = (
    ("length(var.node_pools) > 0", "At least one node pool is required; the first is the default."),
    (
        f'alltrue([for p in var.node_pools : can(regex("{DNS_LABEL}", p.name))])',
        "Every pool name must be a DNS label (lower-case letters, digits and '-').",
    ),
    (
        "length(distinct([for p in var.node_pools : p.name])) == length(var.node_pools)",
        "Pool names must be unique.",
    ),
    (
        'alltrue([for p in var.node_pools : trimspace(p.size) != ""])',
        "Every pool needs a droplet size slug.",
    ),
    (
        "alltrue([for p in var.node_pools : p.auto_scale ? "
        "try(p.min_nodes >= 1 && p.min_nodes <= p.max_nodes, false) : "
        "try(p.node_count >= 1, false)])",
        "Give each pool node_count >= 1, or auto_scale with 1 <= min_nodes <= max_nodes.",
    ),
    (
        'alltrue(flatten([for p in var.node_pools : [for t in p.taints : contains(["NoSchedule", '
        '"PreferNoSchedule", "NoExecute"], t.effect)]]))',
        "Taint effects are NoSchedule, PreferNoSchedule or NoExecute.",
    ),
)


# What FluxBootstrapSettings checks for cluster-stack at synth, checked at plan.
SSH_URL = "^ssh://[A-Za-z0-9._-]+@[A-Za-z0-9.-]+(:[0-9]+)?/.+"
_SSH = 'var.git_auth == "ssh"'
SSH_PRECONDITIONS = (
    (
        f'{_SSH} ? can(regex("{SSH_URL}", var.repository_url)) : '
        'can(regex("^https://", var.repository_url))',
        'git_auth "ssh" needs an ssh://git@host[:port]/path repository_url, and "https" '
        "an https:// one.",
    ),
    (
        f"!({_SSH}) || {private_key_check('var.git_ssh_private_key')}",
        'git_auth "ssh" needs git_ssh_private_key, the deploy key\'s OpenSSH private key '
        "(-----BEGIN OPENSSH PRIVATE KEY----- ...).",
    ),
    (
        # The host as the URL names it; hashed known_hosts names cannot be matched.
        f'!({_SSH}) || strcontains(var.known_hosts, "|1|") || try(strcontains('
        'var.known_hosts, regex("^ssh://[^@/]+@([^:/]+)", var.repository_url)[0]), false)',
        "known_hosts has no line for the repository's host: add its keys "
        "(`ssh-keyscan -p PORT HOST`, checked against the host's published fingerprints).",
    ),
)


def _rules(*rules: tuple[str, str]) -> list[TerraformVariableValidationConfig]:
    return [
        TerraformVariableValidationConfig(condition=f"${{{condition}}}", error_message=message)
        for condition, message in rules
    ]


def _variable(
    stack: TerraformStack, name: str, type: str, description: str, **extra: object
) -> Ref:
    variable = TerraformVariable(stack, name, type=type, description=description, **extra)  # type: ignore[arg-type]
    return Ref(f"var.{variable.friendly_unique_id}")


class DoksModuleStack(TerraformStack):
    """``infra-modules/doks``: the cluster and its node pools."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        DigitaloceanProvider(self, "digitalocean")
        name = _variable(
            self,
            "cluster_name",
            "string",
            "Cluster name (a DNS label).",
            validation=_rules((f'can(regex("{DNS_LABEL}", var.cluster_name))', "Use a DNS label.")),
        )
        region = _variable(
            self,
            "region",
            "string",
            "DigitalOcean region slug, e.g. nyc1.",
            validation=_rules(
                ('can(regex("^[a-z]{3}[0-9]$", var.region))', "Use a slug like nyc1.")
            ),
        )
        settings = DoksClusterSettings(
            name=name,
            region=region,
            kubernetes_version=_variable(
                self,
                "kubernetes_version",
                "string",
                '"latest", a minor such as "1.33" (newest patch) or an exact "1.33.1-do.3".',
                default="1.33",
            ),
            node_pools=_variable(
                self,
                "node_pools",
                POOL_TYPE,
                "Node pools; the first is the cluster's default pool, the rest are "
                "digitalocean_kubernetes_node_pool resources keyed by name.",
                validation=_rules(*POOL_RULES),
            ),
            ha=_variable(self, "ha", "bool", "Highly available control plane.", default=False),
            auto_upgrade=_variable(
                self,
                "auto_upgrade",
                "bool",
                "Let DigitalOcean apply patch upgrades.",
                default=False,
            ),
            surge_upgrade=_variable(
                self, "surge_upgrade", "bool", "Upgrade with surge nodes.", default=True
            ),
            tags=_variable(self, "tags", "list(string)", "Cluster tags.", default=[]),
            maintenance_day=_variable(
                self, "maintenance_day", "string", "Maintenance day, or any.", default="sunday"
            ),
            maintenance_start_time=_variable(
                self,
                "maintenance_start_time",
                "string",
                "Maintenance start, HH:MM UTC.",
                default="04:00",
            ),
            vpc_uuid=_variable(
                self,
                "vpc_uuid",
                "string",
                "VPC id; null joins the region's default VPC.",
                default=Token.null_value(),
            ),
        )
        cluster = DoksCluster(self, "doks", settings=settings).cluster
        protect(self, allow_destroy=False)
        TerraformOutput(self, "cluster_id", value=cluster.id, description="Cluster id.")
        TerraformOutput(self, "cluster_urn", value=cluster.urn, description="Cluster URN.")
        TerraformOutput(self, "endpoint", value=cluster.endpoint, description="API server URL.")
        TerraformOutput(self, "vpc_id", value=cluster.vpc_uuid, description="The cluster's VPC.")
        TerraformOutput(
            self,
            "cluster_ca_certificate",
            value=cluster.kube_config.get(0).cluster_ca_certificate,
            description="Base64 CA certificate, for a kubernetes provider block.",
        )
        TerraformOutput(
            self,
            "kubeconfig",
            value=cluster.kube_config.get(0).raw_config,
            sensitive=True,
            description="kubeconfig with a token that expires after 7 days.",
        )


def _ssh_key(stack: TerraformStack) -> FluxSshKey:
    """The SSH alternative, chosen at plan time by ``git_auth``; cluster-stack's key rules."""
    from wildside_constructs.cluster.flux_git_secret import FluxSshKey

    auth = _variable(
        stack,
        "git_auth",
        "string",
        '"https" (git_token) or "ssh" (git_ssh_private_key and known_hosts).',
        default="https",
        nullable=False,
        validation=_rules(('contains(["https", "ssh"], var.git_auth)', 'Use "https" or "ssh".')),
    )
    key = _variable(
        stack,
        "git_ssh_private_key",
        "string",
        'OpenSSH private key of a read-only deploy key; required with git_auth "ssh".',
        default="",
        sensitive=True,
        nullable=False,
    )
    version = _variable(
        stack,
        "git_ssh_key_version",
        "number",
        "Bump to re-send a rotated key (or changed known_hosts) without re-running the Job.",
        default=0,
        nullable=False,
    )
    hosts = _variable(
        stack,
        "known_hosts",
        "string",
        'known_hosts lines for the Git host (git_auth "ssh"); default: GitHub\'s published keys.',
        default=bundled_known_hosts(SshTarget(url="", host="github.com")),
        nullable=False,
    )
    return FluxSshKey(
        identity=key,
        known_hosts=hosts,
        key_version=version,
        condition=Ref(f'{auth.expression} == "ssh"'),
    )


class FluxModuleStack(TerraformStack):
    """``infra-modules/fluxcd``: the Flux bootstrap, for a configured kubernetes provider."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        from cdktf_cdktf_provider_kubernetes.provider import KubernetesProvider

        from wildside_constructs.cluster.flux_bootstrap import FluxBootstrap, FluxBootstrapSettings
        from wildside_constructs.cluster.flux_sync import (
            FLUX_CLI_IMAGE,
            FLUX_VERSION,
            GIT_SECRET_NAME,
        )
        from wildside_constructs.model import FLUX_NAMESPACE, FLUX_SOURCE_NAME

        KubernetesProvider(self, "kubernetes")
        url = _variable(
            self,
            "repository_url",
            "string",
            'URL of the GitOps repository Flux pulls: https:// (git_auth "https"), or '
            'ssh://git@host[:port]/path (git_auth "ssh").',
            validation=_rules(
                (
                    f'can(regex("^https://", var.repository_url)) || '
                    f'can(regex("{SSH_URL}", var.repository_url))',
                    'Use an https:// URL, or ssh://git@host[:port]/path with git_auth = "ssh".',
                )
            ),
        )
        cluster_name = _variable(
            self, "cluster_name", "string", "Cluster name; Flux applies ./clusters/<name>."
        )
        settings = FluxBootstrapSettings(
            repository_url=url,
            branch=_variable(self, "branch", "string", "Branch Flux follows.", default="main"),
            cluster_name=cluster_name,
            git_token=_variable(
                self,
                "git_token",
                "string",
                "HTTPS token for a private repository; empty for a public one.",
                default="",
                sensitive=True,
                nullable=False,
            ),
            revision=_variable(
                self, "revision", "number", "Bump to re-run the bootstrap Job.", default=1
            ),
            image_digest=_variable(
                self,
                "image_digest",
                "string",
                f"sha256 digest of {FLUX_CLI_IMAGE}; the Job runs it by tag and digest.",
                validation=_rules(
                    (
                        'can(regex("^sha256:[0-9a-f]{64}$", var.image_digest))',
                        "Use sha256:<64 hex>, e.g. from `crane digest`.",
                    )
                ),
            ),
            ssh=_ssh_key(self),
        )
        flux = FluxBootstrap(self, "flux", settings=settings)
        # Rules across variables are preconditions: validation blocks may only
        # name their own variable before Terraform 1.9. On the built-in
        # terraform_data, so a bad combination fails the plan before any change.
        flux.inputs.add_override(
            "lifecycle.precondition",
            [{"condition": f"${{{c}}}", "error_message": m} for c, m in SSH_PRECONDITIONS],
        )
        TerraformOutput(self, "namespace", value=FLUX_NAMESPACE, description="Flux's namespace.")
        TerraformOutput(
            self, "git_repository_name", value=FLUX_SOURCE_NAME, description="The GitRepository."
        )
        TerraformOutput(
            self,
            "kustomization_name",
            value=FLUX_SOURCE_NAME,
            description="The root Kustomization.",
        )
        TerraformOutput(
            self,
            "git_secret_name",
            value=GIT_SECRET_NAME,
            description="Secret holding the token or the SSH key.",
        )
        TerraformOutput(
            self, "flux_version", value=FLUX_VERSION, description="Pinned Flux release."
        )
