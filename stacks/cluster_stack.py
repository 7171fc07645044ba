"""cluster-stack: the DOKS cluster, applied with ``cdktf deploy cluster-stack``.

It holds the VPC (optional), the cluster and its node pools, and the Flux
bootstrap, so one plan covers a new cluster end to end: every Kubernetes
resource here is a typed one, which plans before the API server exists.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from cdktf import (
    Fn,
    TerraformOutput,
    TerraformStack,
    TerraformVariable,
)
from cdktf_cdktf_provider_digitalocean.provider import DigitaloceanProvider
from constructs import Construct

from stacks.state import StackState, configure_state
from wildside_constructs.cluster.doks import DoksCluster, DoksClusterSettings
from wildside_constructs.cluster.git_ssh import (
    SSH_KEY_VARIABLE,
    SSH_KEY_VERSION_VARIABLE,
    private_key_check,
)
from wildside_constructs.cluster.protection import protect
from wildside_constructs.cluster.values import Ref, text
from wildside_constructs.cluster.vpc import DoksVpc, DoksVpcSettings

if TYPE_CHECKING:
    from wildside_constructs.cluster.flux_git_secret import FluxSshKey

GIT_TOKEN_VARIABLE = "flux_git_token"  # noqa: S105 - a variable name


@dataclass(frozen=True)
class ClusterFluxSettings:
    # The URL Flux clones: https:// for auth "https", ssh:// for auth "ssh".
    repository_url: str
    branch: str
    kube_auth: Literal["exec", "token"] = "exec"
    revision: int = 1
    image_digest: str = ""
    auth: Literal["https", "ssh"] = "https"
    # auth "ssh": the Git host's known_hosts lines (public keys).
    known_hosts: str = ""


@dataclass(frozen=True)
class ClusterStackSettings:
    cluster: DoksClusterSettings
    # Create a VPC for the cluster; an existing one is cluster.vpc_uuid instead.
    vpc: DoksVpcSettings | None = None
    state: StackState | None = None
    # None: no Flux bootstrap (and the Kubernetes bindings are never loaded).
    flux: ClusterFluxSettings | None = None


class ClusterStack(TerraformStack):
    def __init__(self, scope: Construct, id: str, *, settings: ClusterStackSettings) -> None:
        super().__init__(scope, id)
        cluster_settings = settings.cluster
        configure_state(self, id, settings.state or StackState(cluster=text(cluster_settings.name)))
        # No token argument: the provider reads DIGITALOCEAN_TOKEN itself, so the
        # credential never enters the synthesised JSON or the state.
        DigitaloceanProvider(self, "digitalocean")
        self.vpc: DoksVpc | None = None
        if settings.vpc is not None:
            self.vpc = DoksVpc(self, "vpc", settings=settings.vpc)
            cluster_settings = replace(cluster_settings, vpc_uuid=self.vpc.id)
        self.doks = DoksCluster(self, "doks", settings=cluster_settings)
        cluster = self.doks.cluster
        TerraformOutput(self, "cluster_id", value=cluster.id)
        TerraformOutput(self, "cluster_urn", value=cluster.urn)
        TerraformOutput(self, "cluster_endpoint", value=cluster.endpoint)
        TerraformOutput(self, "vpc_id", value=cluster.vpc_uuid)
        TerraformOutput(
            self,
            "kubeconfig",
            value=cluster.kube_config.get(0).raw_config,
            sensitive=True,
            description="kubeconfig with a token that expires (7 days); prefer doctl",
        )
        if settings.flux is not None:
            self._flux(settings.flux, text(cluster_settings.name))
        self.protection = protect(self, allow_destroy=cluster_settings.allow_destroy)

    def preflight(self) -> None:
        """Run the destroy-protection check now, so a failure writes nothing."""
        self.protection.check(self)

    def _flux(self, flux: ClusterFluxSettings, cluster_name: str) -> None:
        # Loaded here: the Kubernetes bindings cost seconds to import.
        from cdktf_cdktf_provider_kubernetes.provider import (
            KubernetesProvider,
            KubernetesProviderExec,
        )

        from wildside_constructs.cluster.flux_bootstrap import FluxBootstrap, FluxBootstrapSettings
        from wildside_constructs.cluster.flux_sync import FLUX_VERSION, cluster_path

        token: Ref | None = None
        ssh: FluxSshKey | None = None
        if flux.auth == "ssh":
            ssh = self._ssh_key(flux)
        else:
            token = Ref(
                "var."
                + TerraformVariable(
                    self,
                    GIT_TOKEN_VARIABLE,
                    type="string",
                    default="",
                    sensitive=True,
                    nullable=False,
                    description="HTTPS token Flux reads the GitOps repository with; empty for "
                    "a public repository. Set TF_VAR_flux_git_token, never a file.",
                ).friendly_unique_id
            )
        cluster = self.doks.cluster
        kube = cluster.kube_config.get(0)
        # Provider settings are unknown until the cluster exists; typed
        # resources still plan, and are applied once the cluster is created.
        auth: dict[str, object] = (
            {
                "exec": [
                    KubernetesProviderExec(
                        api_version="client.authentication.k8s.io/v1beta1",
                        command="doctl",
                        args=[
                            "kubernetes",
                            "cluster",
                            "kubeconfig",
                            "exec-credential",
                            "--version=v1beta1",
                            cluster.id,
                        ],
                    )
                ]
            }
            if flux.kube_auth == "exec"
            else {"token": kube.token}
        )
        KubernetesProvider(
            self,
            "kubernetes",
            host=cluster.endpoint,
            cluster_ca_certificate=Fn.base64decode(kube.cluster_ca_certificate),
            **auth,  # type: ignore[arg-type]
        )
        self.flux = FluxBootstrap(
            self,
            "flux",
            settings=FluxBootstrapSettings(
                repository_url=flux.repository_url,
                branch=flux.branch,
                cluster_name=cluster_name,
                git_token=token,
                revision=flux.revision,
                image_digest=flux.image_digest,
                ssh=ssh,
            ),
        )
        if ssh is not None:
            self.flux.inputs.add_override(
                "lifecycle.precondition",
                [
                    {
                        "condition": f"${{{private_key_check(f'var.{SSH_KEY_VARIABLE}')}}}",
                        "error_message": "Give the deploy key's OpenSSH private key "
                        "(-----BEGIN OPENSSH PRIVATE KEY----- ...), e.g. from Vault.",
                    }
                ],
            )
        TerraformOutput(self, "flux_version", value=FLUX_VERSION)
        TerraformOutput(self, "flux_path", value=cluster_path(cluster_name))

    def _ssh_key(self, flux: ClusterFluxSettings) -> FluxSshKey:
        from wildside_constructs.cluster.flux_git_secret import FluxSshKey

        key = TerraformVariable(
            self,
            SSH_KEY_VARIABLE,
            type="string",
            # No default: a plan without the key fails instead of leaving Flux keyless.
            sensitive=True,
            nullable=False,
            description="OpenSSH private key Flux reads the GitOps repository with (the "
            "deploy key `wildside gitops bootstrap` keeps in Vault); `wildside deploy` reads "
            "it from Vault. Set TF_VAR_flux_git_ssh_key, never a file.",
        )
        version = TerraformVariable(
            self,
            SSH_KEY_VERSION_VARIABLE,
            type="number",
            default=0,
            nullable=False,
            description="Vault KV version of the deploy key; a new version re-sends the key "
            "to the cluster (set by `wildside deploy`).",
        )
        return FluxSshKey(
            identity=Ref(f"var.{key.friendly_unique_id}"),
            known_hosts=flux.known_hosts,
            key_version=Ref(f"var.{version.friendly_unique_id}"),
        )
