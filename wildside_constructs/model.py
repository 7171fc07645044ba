"""Plain data the platform constructs exchange: sources, deploy units, context.

These types carry no CDKTF objects, so validators, the publisher and the
benchmarks can use them without loading jsii.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

# The flux-system namespace and GitRepository are created by the cluster bootstrap.
FLUX_NAMESPACE = "flux-system"
FLUX_SOURCE_NAME = "flux-system"
MANAGED_BY = {"app.kubernetes.io/managed-by": "wildside-infra-k8s"}
# The deploy unit holding a cluster's chart sources; every operator unit depends on it.
SOURCES = "sources"


@dataclass(frozen=True)
class ClusterContext:
    """Per-cluster values every component may need."""

    name: str
    environment: str
    domain: str
    acme_email: str
    enabled: tuple[str, ...]
    # Namespaces the cluster's applications run in (network allow-lists may name them).
    app_namespaces: tuple[str, ...] = ()


@dataclass(frozen=True)
class HelmSource:
    """A chart repository; rendered once under ``platform/sources/<name>/``."""

    name: str
    url: str
    interval: str = "24h"

    @property
    def type(self) -> Literal["default", "oci"]:
        return "oci" if self.url.startswith("oci://") else "default"

    @property
    def folder(self) -> str:
        return f"platform/sources/{self.name}"


@dataclass(frozen=True)
class DeployUnit:
    """One Flux Kustomization: a platform folder applied as a whole.

    Components split into several units where custom resources depend on CRDs
    installed by a HelmRelease, because Flux cannot dry-run a CR whose CRD is
    not yet served; ``depends_on`` with ``wait`` orders them.
    """

    name: str
    folder: str
    documents: dict[str, dict[str, Any]]
    # Directories (relative to ``folder``) the kustomization includes as bases.
    bases: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    # Flux postBuild substitutions: the per-cluster values of this folder.
    variables: dict[str, str] = field(default_factory=dict)
    interval: str = "10m"
    timeout: str = "5m"
    wait: bool = True
    prune: bool = True
    # A Secret in flux-system holding the age key Flux decrypts SOPS files with.
    decryption_secret: str = ""
    # False: the folder is written by someone else (``wildside secrets``), so
    # only the Flux Kustomization is rendered, never the folder's files.
    renders_folder: bool = True
    # A unit applied from another repository (e.g. the apps repository): the
    # name of its GitRepository and the path in it. Such a unit renders no
    # folder here; ``folder`` only names it.
    source: str = ""
    path: str = ""

    def files(self) -> dict[str, dict[str, Any]]:
        """Every file of the folder, including a kustomization listing exactly them."""
        from wildside_constructs.flux import kustomize_file

        if not self.renders_folder or self.source:
            return {}
        rendered = {f"{self.folder}/{name}": doc for name, doc in self.documents.items()}
        resources = [*self.documents, *self.bases]
        rendered[f"{self.folder}/kustomization.yaml"] = kustomize_file(resources)
        return rendered
