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
from typing import Any

import pytest
import yaml

from tests.platform.datastore_helpers import render
from wildside_constructs.settings.rabbitmq import (
    TOPOLOGY_OPERATOR_REPOSITORY,
    TOPOLOGY_OPERATOR_VERSION,
)

EVIDENCE = posixpath.join(posixpath.dirname(__file__), "upstream_evidence")
FOLDER = "platform/messaging/operators"
# Flux Kustomization name -> (evidence file, repository, pinned version).
OPERATORS = {
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
