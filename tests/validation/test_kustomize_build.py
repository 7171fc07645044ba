"""``kubectl kustomize`` builds every rendered folder exactly as Flux will.

kustomize-controller runs the same build on each Flux Kustomization's path
before substituting, so a folder that fails here fails on the cluster.
"""

from __future__ import annotations

import posixpath
import shutil
import subprocess
from dataclasses import dataclass
from typing import Any

import pytest
import yaml

from tests.support import example_with, render_platform
from tests.validation.trees import write_tree
from wildside_constructs.validation.rules import KUSTOMIZATION, applied_files

KUBECTL = shutil.which("kubectl")
pytestmark = pytest.mark.skipif(
    KUBECTL is None, reason="kubectl (with its built-in kustomize) is not on PATH"
)


@dataclass(frozen=True)
class Builds:
    documents: dict[str, Any]
    # Folder with a kustomization.yaml -> the finished `kubectl kustomize` run.
    runs: dict[str, subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    assert KUBECTL is not None
    stack = render_platform(example_with(), schemas=False)
    root = write_tree(tmp_path_factory.mktemp("gitops"), stack.rendered)
    folders = sorted(posixpath.dirname(p) for p in stack.rendered if p.endswith(KUSTOMIZATION))
    # Default load restrictor on purpose: directory bases must not need
    # --load-restrictor LoadRestrictionsNone, which Flux does not use.
    runs = {
        folder: subprocess.run(
            [KUBECTL, "kustomize", str(root / folder)],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        for folder in folders
    }
    return Builds(documents=dict(stack.documents), runs=runs)


def identity(document: dict[str, Any]) -> tuple[str, str, str, str]:
    metadata = document.get("metadata", {})
    return (
        document["apiVersion"],
        document["kind"],
        metadata.get("namespace", ""),
        metadata["name"],
    )


def built_documents(built: Builds, folder: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(built.runs[folder].stdout) if doc]


def test_every_unit_folder_and_the_cluster_folders_are_built(built: Builds) -> None:
    assert {"clusters/dev", "clusters/dev/sources", "platform/traefik"} <= set(built.runs)
    assert any(folder.startswith("platform/sources/") for folder in built.runs)


def test_every_folder_builds_without_relaxing_the_load_restrictor(built: Builds) -> None:
    failures = {folder: run.stderr.strip() for folder, run in built.runs.items() if run.returncode}
    assert failures == {}


def test_each_build_yields_exactly_the_rendered_documents(built: Builds) -> None:
    for folder in built.runs:
        expected = {
            identity(built.documents[path])
            for path in applied_files(built.documents, folder)
            if not path.endswith(KUSTOMIZATION)
        }
        produced = {identity(doc) for doc in built_documents(built, folder)}
        assert produced == expected, folder


def test_flux_placeholders_survive_the_build_for_postbuild(built: Builds) -> None:
    assert "${traefik_replicas}" in built.runs["platform/traefik"].stdout


def test_the_sources_unit_pulls_in_every_rendered_source(built: Builds) -> None:
    built_sources = {
        doc["metadata"]["name"]
        for doc in built_documents(built, "clusters/dev/sources")
        if doc["kind"] == "HelmRepository"
    }
    rendered_sources = {
        path.split("/")[2] for path in built.documents if path.startswith("platform/sources/")
    }
    assert built_sources == rendered_sources
