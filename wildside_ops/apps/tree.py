"""Render the apps GitOps repository: ``base/``, ``overlays/<environment>/``, previews.

Layout, as Flux's kustomize examples::

    base/                          the canonical HelmRelease and its chart source
    overlays/production/           long-lived environments (own namespace, own
    overlays/staging/              database and secrets from Vault)
    overlays/ephemeral/kustomization.yaml   lists every open preview
    overlays/ephemeral/pr-<n>/     kustomization.yaml (base + patch, the preview's
                                   record in metadata.annotations),
                                   patch-helmrelease-values.yaml, preview.yaml
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wildside_constructs.yamlout import dump, load
from wildside_ops.apps.context import AppContext
from wildside_ops.apps.inputs import parse_reference
from wildside_ops.apps.preview_docs import (
    APP_SECRET,
    DATABASE_SECRET,
    app_secret_docs,
    preview_documents,
)

__all__ = [
    "EPHEMERAL",
    "LONG_LIVED",
    "Preview",
    "long_lived_files",
    "preview_files",
    "preview_listing",
    "preview_numbers",
    "read_preview",
]

EPHEMERAL = "overlays/ephemeral"
LONG_LIVED = ("production", "staging")
KUSTOMIZE = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization"}
_PREVIEW_DIR = re.compile(r"^overlays/ephemeral/pr-([1-9][0-9]{0,8})/")
ANNOTATION = "wildside.dev"


@dataclass(frozen=True)
class Preview:
    """One open preview, as recorded in its overlay."""

    number: int
    sha: str
    deployed_at: str
    url: str
    images: Mapping[str, str]


def _docs(documents: list[dict[str, Any]]) -> str:
    return "---\n".join(dump(doc) for doc in documents)


def _source(ctx: AppContext) -> tuple[dict[str, Any], dict[str, Any]]:
    """The chart source and the HelmRelease's reference to it."""
    apps = ctx.apps
    name = f"{apps.name}-chart"
    if apps.chart_url.startswith("oci://"):
        source = {
            "apiVersion": "source.toolkit.fluxcd.io/v1",
            "kind": "OCIRepository",
            "metadata": {"name": name},
            "spec": {
                "interval": "10m",
                "url": apps.chart_url.rstrip("/"),
                "ref": {"tag": apps.chart_version},
                "layerSelector": {
                    "mediaType": "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
                    "operation": "copy",
                },
            },
        }
        return source, {"chartRef": {"kind": "OCIRepository", "name": name}}
    source = {
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "HelmRepository",
        "metadata": {"name": name},
        "spec": {"interval": "1h", "url": apps.chart_url},
    }
    chart = {
        "chart": {
            "spec": {
                "chart": apps.chart_name,
                "version": apps.chart_version,
                "sourceRef": {"kind": "HelmRepository", "name": name},
            }
        }
    }
    return source, chart


def _base(ctx: AppContext) -> dict[str, str]:
    source, chart_ref = _source(ctx)
    release = {
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": {"name": ctx.apps.name},
        "spec": {
            "interval": "10m",
            **chart_ref,
            "install": {"remediation": {"retries": 3}},
            "upgrade": {"remediation": {"retries": 3}, "cleanupOnFail": True},
            # The values contract (docs/previews.md): overlays fill these in.
            "values": {
                "database": {"secretName": DATABASE_SECRET},
                "secrets": {"secretName": APP_SECRET},
                "ingress": {"enabled": True, "className": "traefik"},
            },
        },
    }
    kustomization = {**KUSTOMIZE, "resources": ["helmrelease.yaml", "source.yaml"]}
    return {
        "base/kustomization.yaml": dump(kustomization),
        "base/helmrelease.yaml": dump(release),
        "base/source.yaml": dump(source),
    }


def _namespace_transformer(namespace: str) -> str:
    # unsetOnly: documents that name their namespace (the database side, in
    # `databases`) keep it; the base's HelmRelease and source get this one.
    return dump(
        {
            "apiVersion": "builtin",
            "kind": "NamespaceTransformer",
            "metadata": {"name": "namespace", "namespace": namespace},
            "unsetOnly": True,
        }
    )


def _values_patch(ctx: AppContext, namespace: str, values: dict[str, Any]) -> str:
    # The source sits beside the release; naming its namespace keeps the
    # reference explicit (policy/helmrelease.rego) wherever the overlay lands.
    if ctx.apps.chart_url.startswith("oci://"):
        source: dict[str, Any] = {"chartRef": {"namespace": namespace}}
    else:
        source = {"chart": {"spec": {"sourceRef": {"namespace": namespace}}}}
    return dump(
        {
            "apiVersion": "helm.toolkit.fluxcd.io/v2",
            "kind": "HelmRelease",
            "metadata": {"name": ctx.apps.name},
            "spec": {**source, "values": values},
        }
    )


def _overlay_kustomization(
    ctx: AppContext, namespace: str, annotations: dict[str, str] | None = None
) -> dict[str, Any]:
    # Previews sit one folder deeper (overlays/ephemeral/pr-<n>/) than long-lived ones.
    base = "../../base" if annotations is None else "../../../base"
    document: dict[str, Any] = {
        **KUSTOMIZE,
        "resources": [base, "resources.yaml"],
        "transformers": [_namespace_transformer(namespace)],
        "patches": [
            {
                "path": "patch-helmrelease-values.yaml",
                "target": {"kind": "HelmRelease", "name": ctx.apps.name},
            }
        ],
    }
    if annotations is not None:
        document["metadata"] = {"name": namespace, "annotations": annotations}
    return document


def long_lived_files(ctx: AppContext) -> dict[str, str]:
    """``base/`` and ``overlays/production|staging/``: the same on every publish."""
    files = _base(ctx)
    apps = ctx.apps
    for environment in LONG_LIVED:
        namespace = apps.name if environment == "production" else f"{apps.name}-{environment}"
        labels = {"app.kubernetes.io/part-of": apps.name, "wildside.dev/environment": environment}
        namespace_doc = {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": namespace, "labels": labels},
        }
        secrets = app_secret_docs(ctx, namespace, f"{apps.vault_base()}/{environment}", labels)
        folder = f"overlays/{environment}"
        # Long-lived environments keep their own database: its connection
        # settings come with the app's secrets from Vault, not from a preview DB.
        values = {"environment": environment, "database": {"secretName": APP_SECRET}}
        files[f"{folder}/kustomization.yaml"] = dump(_overlay_kustomization(ctx, namespace))
        files[f"{folder}/resources.yaml"] = _docs([namespace_doc, *secrets])
        files[f"{folder}/patch-helmrelease-values.yaml"] = _values_patch(ctx, namespace, values)
    return files


def preview_files(
    ctx: AppContext, number: int, sha: str, images: Mapping[str, str], deployed_at: str
) -> dict[str, str]:
    """The three files of ``overlays/ephemeral/pr-<number>/``."""
    folder = f"{EPHEMERAL}/pr-{number}"
    host = ctx.apps.preview_host(number)
    annotations = {
        f"{ANNOTATION}/pr": str(number),
        f"{ANNOTATION}/sha": sha,
        f"{ANNOTATION}/deployed-at": deployed_at,
        f"{ANNOTATION}/url": f"https://{host}",
        **{f"{ANNOTATION}/image.{name}": ref for name, ref in sorted(images.items())},
    }
    image_values = {}
    for name, ref in sorted(images.items()):
        reference = parse_reference(ref)
        # The digest pins the image; the tag (the commit) is for people reading.
        image_values[name] = {
            "repository": reference.repository,
            "tag": reference.tag or sha,
            "digest": reference.digest,
        }
    values: dict[str, Any] = {
        "environment": "preview",
        "images": image_values,
        "ingress": {"host": host},
        "preview": {"number": number, "sha": sha},
    }
    if ctx.apps.basic_auth:
        values["ingress"]["middlewares"] = [f"pr-{number}-preview-basic-auth@kubernetescrd"]
    kustomization = _overlay_kustomization(ctx, f"pr-{number}", annotations)
    return {
        f"{folder}/kustomization.yaml": dump(kustomization),
        f"{folder}/patch-helmrelease-values.yaml": _values_patch(ctx, f"pr-{number}", values),
        f"{folder}/resources.yaml": _docs(preview_documents(ctx, number)),
    }


def preview_numbers(paths: frozenset[str]) -> list[int]:
    """Numbers of the previews present in a tree, ascending."""
    found = {int(m.group(1)) for path in paths if (m := _PREVIEW_DIR.match(path))}
    return sorted(found)


def preview_listing(numbers: list[int]) -> str:
    """``overlays/ephemeral/kustomization.yaml``: every open preview, by number."""
    return dump({**KUSTOMIZE, "resources": [f"pr-{n}" for n in sorted(set(numbers))]})


def read_preview(number: int, kustomization_text: str) -> Preview:
    """The record of a preview, read back from its ``kustomization.yaml``."""
    loaded = load(kustomization_text) or {}
    notes = (loaded.get("metadata") or {}).get("annotations") or {}
    images = {
        key.removeprefix(f"{ANNOTATION}/image."): value
        for key, value in notes.items()
        if key.startswith(f"{ANNOTATION}/image.")
    }
    return Preview(
        number=number,
        sha=str(notes.get(f"{ANNOTATION}/sha", "")),
        deployed_at=str(notes.get(f"{ANNOTATION}/deployed-at", "")),
        url=str(notes.get(f"{ANNOTATION}/url", "")),
        images=images,
    )
