"""The objects that point Flux at the GitOps repository (no CDKTF imports).

They are what ``flux bootstrap`` would write as ``gotk-sync.yaml``: a
GitRepository and a Kustomization, both named ``flux-system``, the names every
rendered Flux Kustomization's ``sourceRef`` already uses.
"""

from __future__ import annotations

import json
from typing import Any

from wildside_constructs.model import FLUX_NAMESPACE, FLUX_SOURCE_NAME, MANAGED_BY

# Pinned: the bootstrap Job runs this flux CLI image, and `flux install`
# applies the controllers and CRDs embedded in that same release.
FLUX_VERSION = "2.7.5"
FLUX_CLI_IMAGE = f"ghcr.io/fluxcd/flux-cli:v{FLUX_VERSION}"
# The Secret the GitRepository reads; empty (anonymous HTTPS) without a token.
GIT_SECRET_NAME = "flux-system"  # noqa: S105 - a Secret's name, not a secret


def cluster_path(cluster_name: str) -> str:
    return f"./clusters/{cluster_name}"


def sync_documents(repository_url: str, branch: str, cluster_name: str) -> list[dict[str, Any]]:
    """GitRepository + Kustomization; arguments may be Terraform ``${...}`` strings."""
    metadata = {"name": FLUX_SOURCE_NAME, "namespace": FLUX_NAMESPACE, "labels": dict(MANAGED_BY)}
    source = {
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "GitRepository",
        "metadata": metadata,
        "spec": {
            "interval": "1m",
            "url": repository_url,
            "ref": {"branch": branch},
            "secretRef": {"name": GIT_SECRET_NAME},
        },
    }
    kustomization = {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": metadata,
        "spec": {
            "interval": "10m",
            "path": cluster_path(cluster_name),
            "prune": True,
            "sourceRef": {"kind": "GitRepository", "name": FLUX_SOURCE_NAME},
            "timeout": "5m",
        },
    }
    return [source, kustomization]


def sync_json(repository_url: str, branch: str, cluster_name: str) -> str:
    """One ``v1/List`` as stable JSON text, which ``kubectl apply -f -`` reads."""
    items = sync_documents(repository_url, branch, cluster_name)
    return json.dumps(
        {"apiVersion": "v1", "kind": "List", "items": items}, indent=2, sort_keys=True
    )


# `$FLUX_SYNC` without braces: `${` would be Terraform interpolation in the JSON.
BOOTSTRAP_SCRIPT = f"""\
set -eu
echo "installing Flux v{FLUX_VERSION} (controllers and CRDs embedded in this flux CLI)"
flux install --namespace={FLUX_NAMESPACE} \\
  --components=source-controller,kustomize-controller,helm-controller,notification-controller \\
  --timeout=10m
echo "applying the flux-system GitRepository and Kustomization"
printf '%s' "$FLUX_SYNC" | kubectl apply --server-side --force-conflicts \\
  --field-manager=wildside-bootstrap -f -
echo "bootstrap complete"
"""
