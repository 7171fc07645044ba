"""Read the pins from what the program really produces and runs.

Charts and providers come from the synthesised JSON (the HelmRepository and
HelmRelease documents of platform-stack, cluster-stack's required_providers),
Flux from the bootstrap's recorded version, and actions from every
``uses: owner/repo@<sha> # vX.Y.Z`` line under ``.github/``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# Terraform registry source -> the GitHub repository that publishes its releases.
PROVIDER_REPOS = {
    "digitalocean/digitalocean": "digitalocean/terraform-provider-digitalocean",
    "hashicorp/kubernetes": "hashicorp/terraform-provider-kubernetes",
}
FLUX_REPO = "fluxcd/flux2"
USES = re.compile(r"uses:\s*([\w.-]+/[\w.-]+)(?:/[\w./-]+)?@([0-9a-f]{40})\s*#\s*(v?[\w.-]+)")
FLUX_VERSION = re.compile(r'"flux_version":\s*"v?([\w.-]+)"')


@dataclass(frozen=True)
class Pin:
    """One pinned version: ``kind`` is chart, flux, provider or action."""

    kind: str
    name: str
    version: str
    # A chart repository URL (``oci://`` or ``https://``), or a GitHub owner/repo.
    source: str


def _stack(outdir: Path, name: str) -> dict[str, Any] | None:
    path = outdir / "stacks" / name / "cdk.tf.json"
    if not path.is_file():
        return None
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def chart_pins(outdir: Path) -> list[Pin]:
    stack = _stack(outdir, "platform-stack")
    if stack is None:
        return []
    rendered = stack.get("output", {}).get("rendered_manifests", {}).get("value", {})
    repositories: dict[str, str] = {}
    releases: list[dict[str, Any]] = []
    for text in rendered.values():
        for doc in yaml.safe_load_all(text.replace("$${", "${")):
            if not isinstance(doc, dict):
                continue
            if doc.get("kind") == "HelmRepository":
                repositories[doc["metadata"]["name"]] = doc["spec"]["url"]
            elif doc.get("kind") == "HelmRelease":
                releases.append(doc["spec"]["chart"]["spec"])
    found = {
        Pin("chart", spec["chart"], str(spec["version"]), repositories[spec["sourceRef"]["name"]])
        for spec in releases
        if spec.get("sourceRef", {}).get("name") in repositories
    }
    return sorted(found, key=lambda pin: pin.name)


def provider_pins(outdir: Path) -> list[Pin]:
    stack = _stack(outdir, "cluster-stack")
    if stack is None:
        return []
    required = stack.get("terraform", {}).get("required_providers", {})
    pins = []
    for name, spec in sorted(required.items()):
        repo = PROVIDER_REPOS.get(spec.get("source", ""))
        if repo and spec.get("version"):
            pins.append(Pin("provider", name, str(spec["version"]).lstrip("=~> "), repo))
    found = FLUX_VERSION.search(json.dumps(stack))
    if found:
        pins.append(Pin("flux", "flux", found.group(1), FLUX_REPO))
    return pins


def action_pins(root: Path) -> list[Pin]:
    found: set[Pin] = set()
    for path in sorted((root / ".github").rglob("*.y*ml")):
        for repo, _sha, version in USES.findall(path.read_text(encoding="utf-8")):
            found.add(Pin("action", repo, version, repo))
    return sorted(found, key=lambda pin: (pin.name, pin.version))


def read_pins(outdir: Path, root: Path) -> list[Pin]:
    return [*chart_pins(outdir), *provider_pins(outdir), *action_pins(root)]
