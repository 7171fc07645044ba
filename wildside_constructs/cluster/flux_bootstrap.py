"""Flux on a new cluster, with typed Kubernetes resources only.

Why a Job and not ``kubernetes_manifest``, Helm or ``flux_bootstrap_git``:
see docs/flux-bootstrap.md. In short, every resource here plans without a
reachable API server (so the cluster may be created in the same run), and
Terraform owns only the bootstrap transport; Flux owns Flux afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import DataResource, TerraformResourceLifecycle, Token
from cdktf_cdktf_provider_kubernetes.cluster_role_binding_v1 import ClusterRoleBindingV1
from cdktf_cdktf_provider_kubernetes.job_v1 import JobV1
from cdktf_cdktf_provider_kubernetes.namespace_v1 import NamespaceV1
from cdktf_cdktf_provider_kubernetes.secret_v1 import SecretV1
from cdktf_cdktf_provider_kubernetes.service_account_v1 import ServiceAccountV1
from constructs import Construct

from wildside_constructs.cluster.flux_sync import (
    BOOTSTRAP_SCRIPT,
    FLUX_CLI_IMAGE,
    FLUX_VERSION,
    GIT_SECRET_NAME,
    sync_json,
)
from wildside_constructs.cluster.values import Ref, text
from wildside_constructs.model import FLUX_NAMESPACE, MANAGED_BY

BOOTSTRAP_NAMESPACE = "wildside-bootstrap"
BOOTSTRAP_NAME = "flux-bootstrap"


@dataclass(frozen=True)
class FluxBootstrapSettings:
    repository_url: str | Ref
    branch: str | Ref
    cluster_name: str | Ref
    # A sensitive variable: the HTTPS token for a private repository, or "".
    git_token: Ref
    revision: int | Ref = 1


class FluxBootstrap(Construct):
    """Namespace, service account, binding and a Job that runs ``flux install``.

    The Job is replaced (and so re-run) exactly when its inputs change: the
    Flux version, the sync objects or ``revision``. With unchanged inputs a
    plan shows no change, because a completed Job stays as it is.
    """

    def __init__(self, scope: Construct, id: str, *, settings: FluxBootstrapSettings) -> None:
        super().__init__(scope, id)
        labels = dict(MANAGED_BY)
        sync = sync_json(
            text(settings.repository_url), text(settings.branch), text(settings.cluster_name)
        )
        revision = (
            text(settings.revision)
            if isinstance(settings.revision, Ref)
            else str(settings.revision)
        )
        namespace = NamespaceV1(
            self, "namespace", metadata={"name": BOOTSTRAP_NAMESPACE, "labels": labels}
        )
        account = ServiceAccountV1(
            self,
            "service-account",
            metadata={"name": BOOTSTRAP_NAME, "namespace": namespace.metadata.name},
        )
        binding = ClusterRoleBindingV1(
            self,
            "cluster-admin",
            metadata={"name": f"wildside-{BOOTSTRAP_NAME}", "labels": labels},
            role_ref={
                "api_group": "rbac.authorization.k8s.io",
                "kind": "ClusterRole",
                "name": "cluster-admin",
            },
            subject=[
                {
                    "kind": "ServiceAccount",
                    "name": account.metadata.name,
                    "namespace": namespace.metadata.name,
                }
            ],
        )
        # terraform_data is built in (no provider): replacing it replaces the Job.
        self.inputs = DataResource(
            self,
            "inputs",
            input={"flux_version": FLUX_VERSION, "sync": sync, "revision": revision},
        )
        self.job = JobV1(
            self,
            "job",
            metadata={
                "name": BOOTSTRAP_NAME,
                "namespace": namespace.metadata.name,
                "labels": labels,
            },
            spec={
                "backoff_limit": 3,
                "template": {
                    "metadata": {
                        "labels": labels,
                        "annotations": {
                            "wildside.io/flux-version": FLUX_VERSION,
                            "wildside.io/revision": revision,
                        },
                    },
                    "spec": {
                        "service_account_name": account.metadata.name,
                        "restart_policy": "Never",
                        "container": [
                            {
                                "name": "flux",
                                "image": FLUX_CLI_IMAGE,
                                "command": ["/bin/sh", "-c", BOOTSTRAP_SCRIPT],
                                "env": [{"name": "FLUX_SYNC", "value": sync}],
                                "resources": {
                                    "requests": {"cpu": "50m", "memory": "64Mi"},
                                    "limits": {"memory": "256Mi"},
                                },
                            }
                        ],
                    },
                },
            },
            wait_for_completion=True,
            timeouts={"create": "15m", "update": "15m"},
            depends_on=[binding],
            lifecycle=TerraformResourceLifecycle(replace_triggered_by=[self.inputs]),
        )
        token = settings.git_token.expression
        # An empty Secret means anonymous HTTPS to source-controller, so the
        # GitRepository can always name it; nonsensitive() reveals only emptiness.
        pairs = f'{{ username = "git", password = {token} }}'
        data = f'${{{{ for k, v in {pairs} : k => v if nonsensitive({token} != "") }}}}'
        self.git_secret = SecretV1(
            self,
            "git-credentials",
            metadata={"name": GIT_SECRET_NAME, "namespace": FLUX_NAMESPACE, "labels": labels},
            type="Opaque",
            data=Token.as_string_map(data),
            # flux install (in the Job) creates the flux-system namespace.
            depends_on=[self.job],
        )
