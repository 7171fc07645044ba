"""The Flux Kustomization rules: spec.path and dependsOn, on a tree built by hand."""

from __future__ import annotations

import pytest

from tests.validation.hand_made import messages, minimal_tree
from wildside_constructs.validation.flux_rules import flux_kustomization_problems

# --- flux-path / flux-depends-on --------------------------------------------------------


def test_a_flux_kustomization_path_that_is_not_rendered_is_reported() -> None:
    files = minimal_tree()
    files["clusters/a/app.yaml"]["spec"]["path"] = "./platform/nope"
    assert messages(flux_kustomization_problems(files)) == [
        "clusters/a/app.yaml: flux-path: spec.path ./platform/nope is not a rendered folder "
        "(no platform/nope/kustomization.yaml)"
    ]


@pytest.mark.parametrize("path", ["../elsewhere", "./platform/../../up", "/platform/app"])
def test_a_flux_kustomization_path_outside_the_repository_is_reported(path: str) -> None:
    files = minimal_tree()
    files["clusters/a/app.yaml"]["spec"]["path"] = path
    assert messages(flux_kustomization_problems(files)) == [
        f"clusters/a/app.yaml: flux-path: spec.path {path} is not a relative path inside the "
        "repository"
    ]


def test_a_path_in_another_repository_is_not_checked() -> None:
    files = minimal_tree()
    spec = files["clusters/a/app.yaml"]["spec"]
    spec["path"] = "./deploy"
    spec["sourceRef"] = {"kind": "GitRepository", "name": "someone-else"}
    assert flux_kustomization_problems(files) == []


def test_depends_on_a_unit_that_is_not_rendered_is_reported() -> None:
    files = minimal_tree()
    files["clusters/a/app.yaml"]["spec"]["dependsOn"].append({"name": "vault"})
    assert messages(flux_kustomization_problems(files)) == [
        "clusters/a/app.yaml: flux-depends-on: dependsOn flux-system/vault is not rendered "
        "for this cluster; enable the component that provides it"
    ]


def test_depends_on_resolves_within_one_cluster_only() -> None:
    files = {**minimal_tree("a"), **minimal_tree("b")}
    files["clusters/b/sources.yaml"]["metadata"]["name"] = "b-sources"
    assert messages(flux_kustomization_problems(files)) == [
        "clusters/b/app.yaml: flux-depends-on: dependsOn flux-system/sources is not rendered "
        "for this cluster; enable the component that provides it"
    ]


def test_a_depends_on_cycle_is_reported_once() -> None:
    files = minimal_tree()
    files["clusters/a/sources.yaml"]["spec"]["dependsOn"] = [{"name": "app"}]
    assert messages(flux_kustomization_problems(files)) == [
        "clusters/a/app.yaml: flux-depends-on: cycle app -> sources -> app"
    ]
