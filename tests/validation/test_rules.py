"""Synth-time tree rules: each rule's failing case, the real tree, and synth wiring."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import pytest

from tests.support import example_with, render_platform
from tests.validation.hand_made import RELEASE, messages, minimal_tree
from wildside_constructs import flux
from wildside_constructs.model import DeployUnit
from wildside_constructs.platform.traefik import Traefik
from wildside_constructs.validation.errors import RenderError
from wildside_constructs.validation.rules import (
    helm_release_problems,
    kustomization_problems,
    secret_problems,
    tree_problems,
    version_problem,
)


def chart_spec(files: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = files[RELEASE]["spec"]["chart"]["spec"]
    return spec


def test_a_minimal_hand_made_tree_breaks_no_rule() -> None:
    assert tree_problems(minimal_tree()) == []


# --- helmrelease-source -----------------------------------------------------------------


def test_a_release_naming_an_unrendered_source_is_reported() -> None:
    files = minimal_tree()
    chart_spec(files)["sourceRef"]["name"] = "foo"
    assert messages(helm_release_problems(files)) == [
        f"{RELEASE}: helmrelease-source: sourceRef HelmRepository/flux-system/foo is not "
        "rendered; render it under platform/sources/"
    ]


def test_a_source_rendered_outside_platform_sources_does_not_count() -> None:
    files = minimal_tree()
    files["platform/app/helmrepository.yaml"] = files.pop(
        "platform/sources/charts/helmrepository.yaml"
    )
    assert "helmrelease-source: sourceRef HelmRepository/flux-system/charts is not rendered" in (
        " ".join(messages(helm_release_problems(files)))
    )


def test_a_source_ref_without_namespace_means_the_release_namespace() -> None:
    files = minimal_tree()
    del chart_spec(files)["sourceRef"]["namespace"]
    assert "sourceRef HelmRepository/app/charts is not rendered" in str(
        helm_release_problems(files)
    )


def test_a_release_with_neither_chart_nor_chart_ref_is_reported() -> None:
    files = minimal_tree()
    del files[RELEASE]["spec"]["chart"]
    assert messages(helm_release_problems(files)) == [
        f"{RELEASE}: helmrelease-source: neither spec.chart.spec nor spec.chartRef"
    ]


def test_a_chart_ref_must_name_a_rendered_oci_repository() -> None:
    files = minimal_tree()
    del files[RELEASE]["spec"]["chart"]
    ref = {"kind": "OCIRepository", "name": "app-chart", "namespace": "flux-system"}
    files[RELEASE]["spec"]["chartRef"] = ref
    assert "sourceRef OCIRepository/flux-system/app-chart is not rendered" in str(
        helm_release_problems(files)
    )
    files["platform/sources/charts/ocirepository.yaml"] = {
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "OCIRepository",
        "metadata": {"name": "app-chart", "namespace": "flux-system"},
        "spec": {"url": "oci://ghcr.io/example/app", "ref": {"tag": "1.2.3"}},
    }
    files["platform/sources/charts/kustomization.yaml"] = flux.kustomize_file(
        ["helmrepository.yaml", "ocirepository.yaml"]
    )
    assert tree_problems(files) == []


def test_a_source_the_cluster_does_not_apply_is_reported_for_that_cluster() -> None:
    files = {**minimal_tree("a"), **minimal_tree("b")}
    files["clusters/b/sources/kustomization.yaml"] = flux.kustomize_file([])
    assert messages(helm_release_problems(files)) == [
        f"{RELEASE}: helmrelease-source: sourceRef HelmRepository/flux-system/charts is not "
        "applied on cluster b; list its folder in clusters/b/sources/"
    ]


# --- helmrelease-version ----------------------------------------------------------------


@pytest.mark.parametrize("version", ["1.2.3", "v1.19.2", "0.0.60", "1.0.0-rc.1", "2.0.0+b.5"])
def test_exact_versions_are_accepted(version: str) -> None:
    files = minimal_tree()
    chart_spec(files)["version"] = version
    assert version_problem(version) is None
    assert helm_release_problems(files) == []


@pytest.mark.parametrize(
    ("version", "why"),
    [
        (None, "is missing"),
        ("", "is missing"),
        ("^1.2.3", "is a range"),
        ("~1.2.3", "is a range"),
        (">=1.0.0", "is a range"),
        ("<2.0.0", "is a range"),
        ("*", "is a range"),
        ("1.x", "is a range"),
        ("1.2.X", "is a range"),
        ("1.0.0 || 2.0.0", "is a range"),
        ("1.0.0 - 2.0.0", "is a range"),
        ("1.2", "is not exact semver"),
        ("1", "is not exact semver"),
        ("01.2.3", "is not exact semver"),
        ("=1.2.3", "is not exact semver"),
        ("latest", "is not exact semver"),
        (1.2, "is not a string"),
    ],
)
def test_missing_range_and_inexact_versions_are_reported(version: Any, why: str) -> None:
    files = minimal_tree()
    if version is None:
        del chart_spec(files)["version"]
    else:
        chart_spec(files)["version"] = version
    (problem,) = helm_release_problems(files)
    assert problem.field == RELEASE
    assert problem.message.startswith("helmrelease-version: chart version")
    assert why in problem.message


# --- kustomization-resource / kustomization-unlisted ------------------------------------


def test_a_listed_file_that_is_not_rendered_is_reported() -> None:
    files = minimal_tree()
    del files["platform/app/helmrelease.yaml"]
    assert messages(kustomization_problems(files)) == [
        "platform/app/kustomization.yaml: kustomization-resource: resource helmrelease.yaml "
        "is not rendered"
    ]


def test_a_directory_base_needs_its_own_kustomization() -> None:
    files = minimal_tree()
    del files["platform/sources/charts/kustomization.yaml"]
    problems = messages(kustomization_problems(files))
    assert (
        "clusters/a/sources/kustomization.yaml: kustomization-resource: directory base "
        "../../../platform/sources/charts has no kustomization.yaml"
    ) in problems
    # ...and the source file itself is then applied by nothing.
    assert any("helmrepository.yaml: kustomization-unlisted" in p for p in problems)


def test_a_missing_base_and_one_outside_the_repository_are_reported() -> None:
    files = minimal_tree()
    files["clusters/a/sources/kustomization.yaml"] = flux.kustomize_file(
        ["../../../platform/sources/charts", "../../../platform/sources/nope", "../../../../up"]
    )
    assert messages(kustomization_problems(files)) == [
        "clusters/a/sources/kustomization.yaml: kustomization-resource: resource "
        "../../../../up is outside the repository; render it into the tree",
        "clusters/a/sources/kustomization.yaml: kustomization-resource: resource "
        "../../../platform/sources/nope is not rendered",
    ]


def test_a_rendered_file_no_kustomization_lists_is_reported() -> None:
    files = minimal_tree()
    files["platform/app/extra.yaml"] = flux.namespace("extra", "app")
    files["platform/orphan/namespace.yaml"] = flux.namespace("orphan", "app")
    assert messages(kustomization_problems(files)) == [
        "platform/app/extra.yaml: kustomization-unlisted: not listed in "
        "platform/app/kustomization.yaml, so nothing applies this file",
        "platform/orphan/namespace.yaml: kustomization-unlisted: "
        "platform/orphan/kustomization.yaml is not rendered, so nothing applies this file",
    ]


def test_a_file_listed_by_a_parent_folder_is_still_unlisted_in_its_own() -> None:
    files = minimal_tree()
    files["platform/app/sub/namespace.yaml"] = flux.namespace("sub", "app")
    files["platform/app/kustomization.yaml"] = flux.kustomize_file(
        ["helmrelease.yaml", "sub/namespace.yaml"]
    )
    assert messages(kustomization_problems(files)) == [
        "platform/app/sub/namespace.yaml: kustomization-unlisted: "
        "platform/app/sub/kustomization.yaml is not rendered, so nothing applies this file"
    ]


# --- secret-literal ---------------------------------------------------------------------


@pytest.mark.parametrize("field", ["data", "stringData"])
def test_a_secret_with_literal_values_is_reported(field: str) -> None:
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "token", "namespace": "app"},
        field: {"token": "c2VjcmV0"},
    }
    assert messages(secret_problems({"platform/app/secret.yaml": secret})) == [
        f"platform/app/secret.yaml: secret-literal: Secret app/token carries literal {field}; "
        "deliver it through an ExternalSecret, or encrypt it with `wildside secrets set`"
    ]


def test_a_secret_without_values_and_other_kinds_with_data_pass() -> None:
    empty = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {}}
    config_map = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}
    config_map["data"] = {"key": "value"}
    assert secret_problems({"a/secret.yaml": empty, "a/configmap.yaml": config_map}) == []


def test_a_secret_in_a_multi_document_file_is_found() -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"k": ""}}
    files = {"a/all.yaml": [flux.namespace("a", "a"), secret]}
    assert [p.field for p in secret_problems(files)] == ["a/all.yaml"]


# --- the real rendered tree, and synth -------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"cert_manager": {"solver": "http01"}, "components": {"external_dns": False}},
        {
            "components": {
                "traefik": False,
                "cert_manager": False,
                "rabbitmq": False,
                "observability": False,
            }
        },
    ],
    ids=["example", "http01-no-external-dns", "external-dns-only"],
)
def test_the_rendered_tree_breaks_no_rule(overrides: dict[str, Any]) -> None:
    stack = render_platform(example_with(overrides), schemas=False)
    assert tree_problems(stack.documents) == []


def test_each_rule_fails_on_a_mutated_real_tree() -> None:
    files = copy.deepcopy(render_platform(example_with(), schemas=False).documents)
    chart_spec_of = files["platform/traefik/helmrelease.yaml"]["spec"]["chart"]["spec"]
    chart_spec_of["version"] = "^37.0.0"
    del files["platform/sources/traefik/helmrepository.yaml"]
    files["platform/traefik/secret.yaml"] = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s", "namespace": "traefik"},
        "stringData": {"k": "v"},
    }
    files["clusters/dev/traefik.yaml"]["spec"]["dependsOn"].append({"name": "absent"})
    files["clusters/dev/sources.yaml"]["spec"]["path"] = "./clusters/dev/nope"
    rules = {problem.message.split(":", 1)[0] for problem in tree_problems(files)}
    assert rules == {
        "helmrelease-source",
        "helmrelease-version",
        "kustomization-resource",
        "kustomization-unlisted",
        "secret-literal",
        "flux-depends-on",
        "flux-path",
    }


def test_synth_fails_listing_every_broken_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("wildside_constructs.platform.traefik.TRAEFIK_CHART_VERSION", "~37.4.0")
    add_unit = Traefik.add_unit

    def add_with_missing_dependency(self: Traefik, unit: DeployUnit) -> DeployUnit:
        return add_unit(self, dataclasses.replace(unit, depends_on=(*unit.depends_on, "absent")))

    monkeypatch.setattr(Traefik, "add_unit", add_with_missing_dependency)
    with pytest.raises(RenderError) as caught:
        render_platform(example_with(), schemas=False)
    assert [str(problem) for problem in caught.value.problems] == [
        "clusters/dev/traefik.yaml: flux-depends-on: dependsOn flux-system/absent is not "
        "rendered for this cluster; enable the component that provides it",
        "platform/traefik/helmrelease.yaml: helmrelease-version: chart version '~37.4.0' is a "
        "range; pin an exact version",
    ]
