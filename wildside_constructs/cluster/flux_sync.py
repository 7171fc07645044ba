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
# The image's own user (nobody); the Job runs as it, never as root.
FLUX_CLI_USER = 65534
# The Job's only writable path (the root filesystem is read-only): HOME and
# TMPDIR point here, so kubectl's discovery cache has somewhere to go.
SCRATCH = "/scratch"
# The bootstrap's temporary access (wildside_constructs/cluster/bootstrap_access.py).
BOOTSTRAP_ACCESS_ROLE = "wildside-flux-bootstrap"
BOOTSTRAP_GRANT_ROLE = "wildside-flux-bootstrap-grant"
BOOTSTRAP_GRANT_LABEL = "wildside.io/aggregate-to-flux-bootstrap"
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
# The grant reaches the aggregated role within moments; the Job waits for it
# (bounded), and withdraws it only once everything has succeeded.
BOOTSTRAP_SCRIPT = f"""\
set -eu
tries=0
until kubectl auth can-i create customresourcedefinitions.apiextensions.k8s.io >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -ge 60 ]; then
    echo "the bootstrap grant did not reach {BOOTSTRAP_ACCESS_ROLE} within 2 minutes" >&2
    exit 1
  fi
  sleep 2
done
echo "installing Flux v{FLUX_VERSION} (controllers and CRDs embedded in this flux CLI)"
flux install --namespace={FLUX_NAMESPACE} \\
  --components=source-controller,kustomize-controller,helm-controller,notification-controller \\
  --timeout=10m
echo "applying the flux-system GitRepository and Kustomization"
printf '%s' "$FLUX_SYNC" | kubectl apply --server-side --force-conflicts \\
  --field-manager=wildside-bootstrap -f -
echo "withdrawing the bootstrap grant"
kubectl label clusterrole {BOOTSTRAP_GRANT_ROLE} {BOOTSTRAP_GRANT_LABEL}-
echo "bootstrap complete"
"""
