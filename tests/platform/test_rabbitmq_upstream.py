"""The RabbitMQ operators' Flux Kustomizations against upstream's files at the pinned tags.

Flux builds each operator straight from its repository, so a wrong folder or an
image override naming an image upstream does not use fails only on a cluster.
``upstream_evidence/`` holds excerpts of each repository at the tag we pin (with
its commit and a listing of the folders involved); these tests hold the
rendering to them, and fail when a version constant moves until the excerpts
are read again at the new tag.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.platform.datastore_helpers import render
from tests.validation.trees import kustomize_build, write_tree
from wildside_constructs.settings.rabbitmq import (
    CLUSTER_OPERATOR_REPOSITORY,
    CLUSTER_OPERATOR_VERSION,
    TOPOLOGY_OPERATOR_REPOSITORY,
    TOPOLOGY_OPERATOR_VERSION,
)

EVIDENCE = posixpath.join(posixpath.dirname(__file__), "upstream_evidence")
FOLDER = "platform/messaging/operators"
# Flux Kustomization name -> (evidence file, repository, pinned version).
OPERATORS = {
    "rabbitmq-cluster-operator": (
        "rabbitmq_cluster_operator",
        CLUSTER_OPERATOR_REPOSITORY,
        CLUSTER_OPERATOR_VERSION,
    ),
    "rabbitmq-topology-operator": (
        "rabbitmq_topology_operator",
        TOPOLOGY_OPERATOR_REPOSITORY,
        TOPOLOGY_OPERATOR_VERSION,
    ),
}


@dataclass
class Upstream:
    """One evidence file: where it was read, the listing, and the excerpts by path."""

    repository: str
    tag: str
    commit: str
    files: set[str] = field(default_factory=set)
    excerpts: dict[str, str] = field(default_factory=dict)

    def kustomization(self, folder: str) -> dict[str, Any]:
        return dict(yaml.safe_load(self.excerpts[f"{folder}/kustomization.yaml"]) or {})

    def reached(self, folder: str) -> set[str]:
        """Folders a build of ``folder`` includes, as far as the excerpts show."""
        found = {folder}
        for resource in self.kustomization(folder).get("resources", []):
            target = posixpath.normpath(posixpath.join(folder, resource))
            if f"{target}/kustomization.yaml" in self.excerpts:
                found |= self.reached(target)
            elif f"{target}/kustomization.yaml" in self.files:
                found.add(target)
        return found


def upstream(name: str) -> Upstream:
    with open(posixpath.join(EVIDENCE, f"{name}.txt"), encoding="utf-8") as handle:
        text = handle.read()
    header = re.match(r"# Excerpts of (\S+) at tag (\S+) \(commit ([0-9a-f]{40})\)", text)
    assert header, f"{name}: the first line names the repository, tag and commit"
    found = Upstream(*header.groups())
    for section in re.split(r"^## ", text, flags=re.M)[1:]:
        title, _, body = section.partition("\n")
        if title.startswith("listing"):
            found.files = set(body.split())
        else:
            found.excerpts[title.split(" (lines")[0]] = body
    return found


@pytest.fixture(scope="module")
def default() -> Any:
    return render()


def _kustomization(stack: Any, name: str) -> dict[str, Any]:
    return dict(stack.documents[f"{FOLDER}/kustomization-{name}.yaml"]["spec"])


@pytest.mark.parametrize("name", sorted(OPERATORS))
def test_the_evidence_is_from_the_pinned_tag(default: Any, name: str) -> None:
    evidence, repository, version = OPERATORS[name]
    found = upstream(evidence)
    assert f"https://github.com/{found.repository}" == repository
    # A version bump fails here until the excerpts are read again at the new tag.
    assert found.tag == f"v{version}", f"{evidence}.txt is from {found.tag}; re-read it"
    source = default.documents[f"{FOLDER}/gitrepository-{name}.yaml"]["spec"]
    assert source["ref"] == {"tag": found.tag}


@pytest.mark.parametrize("name", sorted(OPERATORS))
def test_each_operator_is_built_from_a_folder_that_exists_at_the_tag(
    default: Any, name: str
) -> None:
    found = upstream(OPERATORS[name][0])
    folder = posixpath.normpath(_kustomization(default, name)["path"])
    assert f"{folder}/kustomization.yaml" in found.files, (
        f"{name}: {folder} has no kustomization.yaml at {found.tag} (folders: "
        f"{sorted({posixpath.dirname(f) for f in found.files})})"
    )
    # The folder upstream's release manifests are built from, not a development overlay.
    assert f"build {folder}/" in found.excerpts["Makefile"]
    # That build includes the cert-manager Issuer and Certificates for the webhook.
    assert "config/certmanager" in found.reached(folder)
    assert "certificate-webhook.yaml" in found.kustomization("config/certmanager")["resources"]


def test_the_topology_operators_release_with_cert_manager_is_this_build() -> None:
    makefile = upstream("rabbitmq_topology_operator").excerpts["Makefile"]
    # "-with-certmanager" is a copy of the build of config/installation, not another folder.
    assert "build config/installation/  > releases/messaging-topology-operator_base" in makefile
    assert (
        "cp -v releases/messaging-topology-operator.yaml "
        "releases/messaging-topology-operator-with-certmanager.yaml"
    ) in makefile


def flux_merge(upstream_images: list[dict[str, str]], ours: list[dict[str, str]]) -> list[Any]:
    """Flux's merge of ``spec.images`` into the kustomization.yaml at ``spec.path``.

    kustomize-controller runs in the cluster, not here; flux_kustomize_images.txt
    is its code: an entry of the same name is replaced, any other appended.
    """
    code = upstream("flux_kustomize_images").excerpts["kustomize/kustomize_generator.go"]
    assert "kus.Images[index] = newImage" in code and "append(kus.Images, newImage)" in code
    merged: list[Any] = [dict(image) for image in upstream_images]
    for image in ours:
        names = [entry["name"] for entry in merged]
        if image["name"] in names:
            merged[names.index(image["name"])] = dict(image)
        else:
            merged.append(dict(image))
    return merged


def _built_image(tmp_path: Path, found: Upstream, ours: list[dict[str, str]]) -> str:
    """The operator's image after upstream's image layers and our override, by kustomize.

    Only config/manager and config/installation set images (the evidence
    notes so); the layers between them change names and namespaces, not images.
    """
    (line,) = found.excerpts["config/manager/manager.yaml"].strip().splitlines()
    image = line.split("image:", 1)[1].strip()
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "operator"},
        "spec": {
            "selector": {"matchLabels": {"app": "operator"}},
            "template": {
                "metadata": {"labels": {"app": "operator"}},
                "spec": {"containers": [{"name": "operator", "image": image}]},
            },
        },
    }
    installation = found.kustomization("config/installation")
    installation["resources"] = ["../manager"]
    installation["images"] = flux_merge(installation.get("images", []), ours)
    root = write_tree(
        tmp_path,
        {
            "config/manager/kustomization.yaml": yaml.safe_dump(
                found.kustomization("config/manager")
            ),
            "config/manager/manager.yaml": yaml.safe_dump(deployment),
            "config/installation/kustomization.yaml": yaml.safe_dump(installation),
        },
    )
    built = kustomize_build(root, "config/installation")
    assert built.returncode == 0, built.stderr
    (document,) = [d for d in yaml.safe_load_all(built.stdout) if d]
    (container,) = document["spec"]["template"]["spec"]["containers"]
    return str(container["image"])


@pytest.mark.parametrize("name", sorted(OPERATORS))
def test_the_image_override_pins_the_release_image(tmp_path: Path, default: Any, name: str) -> None:
    evidence, _repository, version = OPERATORS[name]
    found = upstream(evidence)
    # The release manifest's image: GHCR_IO_OPERATOR_IMAGE with the version, no "v".
    workflow = found.excerpts[".github/workflows/build-test-publish.yml"]
    (registry,) = re.findall(r'GHCR_IO_OPERATOR_IMAGE=(\S+):"\$\{RELEASE_VERSION\}"', workflow)
    ours = _kustomization(default, name)["images"]
    assert _built_image(tmp_path, found, ours) == f"{registry}:{version}"
    # Without the override the build floats on ":latest", which this test must notice.
    assert _built_image(tmp_path / "bare", found, []).endswith(":latest")
