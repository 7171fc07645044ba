"""Flux on a new cluster, with typed Kubernetes resources only.

Why a Job and not ``kubernetes_manifest``, Helm or ``flux_bootstrap_git``:
see docs/flux-bootstrap.md. In short, every resource here plans without a
reachable API server (so the cluster may be created in the same run), and
Terraform owns only the bootstrap transport; Flux owns Flux afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import DataResource, Fn, TerraformResourceLifecycle
from cdktf_cdktf_provider_kubernetes.job_v1 import (
    JobV1,
    JobV1SpecTemplateSpecContainer,
    JobV1SpecTemplateSpecContainerVolumeMount,
    JobV1SpecTemplateSpecVolume,
)
from cdktf_cdktf_provider_kubernetes.namespace_v1 import NamespaceV1
from cdktf_cdktf_provider_kubernetes.service_account_v1 import ServiceAccountV1
from constructs import Construct

from wildside_constructs.cluster import rules
from wildside_constructs.cluster.bootstrap_access import BootstrapAccess
from wildside_constructs.cluster.flux_git_secret import FluxSshKey, git_secret
from wildside_constructs.cluster.flux_sync import (
    BOOTSTRAP_SCRIPT,
    FLUX_CLI_IMAGE,
    FLUX_CLI_USER,
    FLUX_VERSION,
    SCRATCH,
    sync_json,
)
from wildside_constructs.cluster.git_ssh import known_hosts_problem, ssh_target
from wildside_constructs.cluster.values import Ref, at, known, text
from wildside_constructs.model import MANAGED_BY
from wildside_constructs.problems import Problem
from wildside_constructs.validation.errors import SettingsError

BOOTSTRAP_NAMESPACE = "wildside-bootstrap"
BOOTSTRAP_NAME = "flux-bootstrap"


@dataclass(frozen=True)
class FluxBootstrapSettings:
    # The URL Flux clones: https:// (with git_token), or ssh:// (with ssh).
    repository_url: str | Ref
    branch: str | Ref
    # A DNS label: Flux applies ./clusters/<cluster_name>.
    cluster_name: str | Ref
    # A sensitive variable: the HTTPS token for a private repository, or "".
    git_token: Ref | None = None
    revision: int | Ref = 1
    # ``sha256:<64 hex>`` of FLUX_CLI_IMAGE; empty runs by tag alone.
    image_digest: str | Ref = ""
    # SSH instead of HTTPS: repository_url is then the ssh:// URL, and git_token unused.
    ssh: FluxSshKey | None = None

    def problems(self, where: str = "") -> list[Problem]:
        """What the configuration refuses for ``[gitops]`` and ``[flux]``, in its words."""
        found: list[Problem] = []
        if known(self.repository_url):
            found += self._url_problems(where, text(self.repository_url))
        if known(self.branch):
            found += rules.branch_problems(at(where, "branch"), text(self.branch))
        if known(self.cluster_name):
            found += rules.label_problems(
                at(where, "cluster_name"), text(self.cluster_name), rules.CLUSTER_NAME_RULE
            )
        if isinstance(self.revision, int) and known(self.revision):
            found += rules.revision_problems(at(where, "revision"), self.revision)
        if known(self.image_digest):
            found += rules.digest_problems(at(where, "image_digest"), text(self.image_digest))
        if self.git_token is None and (self.ssh is None or self.ssh.condition is not None):
            found.append(
                Problem(
                    at(where, "git_token"),
                    "is required without ssh (or with ssh.condition): give the sensitive "
                    "variable (a Ref) holding the HTTPS token, whose value may be empty for a "
                    "public repository",
                )
            )
        return found

    def _url_problems(self, where: str, url: str) -> list[Problem]:
        field = at(where, "repository_url")
        found = rules.repository_url_problems(field, url)
        if found:
            return found
        if self.ssh is None:
            if url.startswith("https://"):
                return []
            return [
                Problem(
                    field,
                    "Flux reads it over HTTPS (with git_token) unless ssh is given; use an "
                    "https:// URL, or give ssh (a FluxSshKey) and the ssh:// URL",
                )
            ]
        target = ssh_target(url)
        if target is None or target.url != url:
            form = f": {target.url}" if target else ""
            return [Problem(field, f"with ssh, give the ssh:// URL Flux clones{form}")]
        if not known(self.ssh.known_hosts):
            return []
        problem = known_hosts_problem(text(self.ssh.known_hosts), target)
        return [Problem(at(where, "ssh.known_hosts"), problem)] if problem else []


def image_reference(digest: str) -> str:
    """The flux-cli image by tag and, when given, by digest (``tag@sha256:...``)."""
    return f"{FLUX_CLI_IMAGE}@{digest}" if digest else FLUX_CLI_IMAGE


# Pod Security "restricted" (docs/flux-bootstrap.md): the image's own
# non-root user, RuntimeDefault seccomp, no privilege escalation, no
# capabilities and a read-only root filesystem.
POD_SECURITY = {
    "run_as_non_root": True,
    "run_as_user": str(FLUX_CLI_USER),
    "run_as_group": str(FLUX_CLI_USER),
    "seccomp_profile": {"type": "RuntimeDefault"},
}
CONTAINER_SECURITY = {
    "allow_privilege_escalation": False,
    "privileged": False,
    "read_only_root_filesystem": True,
    "run_as_non_root": True,
    "capabilities": {"drop": ["ALL"]},
    "seccomp_profile": {"type": "RuntimeDefault"},
}


class FluxBootstrap(Construct):
    """Namespace, service account, temporary access and a Job that runs ``flux install``.

    The Job is replaced (and so re-run) exactly when its inputs change: the
    Flux version, the sync objects or ``revision``. With unchanged inputs a
    plan shows no change, because a completed Job stays as it is. Invalid
    ``settings`` raise :class:`SettingsError` before anything is added.
    """

    def __init__(self, scope: Construct, id: str, *, settings: FluxBootstrapSettings) -> None:
        # Checked before anything is added: a Job that can never succeed
        # would otherwise only fail on the cluster, minutes into an apply.
        SettingsError.check(self, settings.problems())
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
        image = (
            f"{FLUX_CLI_IMAGE}@{text(settings.image_digest)}"
            if isinstance(settings.image_digest, Ref)
            else image_reference(settings.image_digest)
        )
        namespace = NamespaceV1(
            self, "namespace", metadata={"name": BOOTSTRAP_NAMESPACE, "labels": labels}
        )
        account = ServiceAccountV1(
            self,
            "service-account",
            metadata={"name": BOOTSTRAP_NAME, "namespace": namespace.metadata.name},
            # Only the Job's pod asks for a token (below); nothing mounts one by default.
            automount_service_account_token=False,
        )
        # terraform_data is built in (no provider): replacing it replaces the Job.
        self.inputs = DataResource(
            self,
            "inputs",
            input={
                "flux_version": FLUX_VERSION,
                "image": image,
                "sync": sync,
                "revision": revision,
            },
        )
        self.access = BootstrapAccess(
            self,
            "access",
            account=account.metadata.name,
            namespace=namespace.metadata.name,
            replace_with=[self.inputs],
        )
        # A new name per input set: a re-run never waits for the old Job's
        # deletion to finish before its successor can be created.
        suffix = Fn.substr(Fn.sha256(Fn.jsonencode(self.inputs.input)), 0, 10)
        self.job = JobV1(
            self,
            "job",
            metadata={
                "name": f"{BOOTSTRAP_NAME}-{suffix}",
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
                        "automount_service_account_token": True,
                        "restart_policy": "Never",
                        "security_context": POD_SECURITY,
                        # Structs, not dicts: jsii passes list items' keys through unconverted.
                        "volume": [
                            JobV1SpecTemplateSpecVolume(
                                name="scratch", empty_dir={"size_limit": "64Mi"}
                            )
                        ],
                        "container": [
                            JobV1SpecTemplateSpecContainer(
                                name="flux",
                                image=image,
                                command=["/bin/sh", "-c", BOOTSTRAP_SCRIPT],
                                env=[
                                    {"name": "FLUX_SYNC", "value": sync},
                                    {"name": "HOME", "value": SCRATCH},
                                    {"name": "TMPDIR", "value": SCRATCH},
                                ],
                                security_context=CONTAINER_SECURITY,
                                volume_mount=[
                                    JobV1SpecTemplateSpecContainerVolumeMount(
                                        name="scratch", mount_path=SCRATCH
                                    )
                                ],
                                resources={
                                    "requests": {"cpu": "50m", "memory": "64Mi"},
                                    "limits": {"memory": "256Mi"},
                                },
                            )
                        ],
                    },
                },
            },
            wait_for_completion=True,
            timeouts={"create": "15m", "update": "15m"},
            depends_on=[self.access.grant],
            lifecycle=TerraformResourceLifecycle(replace_triggered_by=[self.inputs]),
        )
        self.git_secret = git_secret(
            self,
            labels=labels,
            revision=settings.revision,
            token=settings.git_token,
            ssh=settings.ssh,
            depends_on=[self.job],
        )
