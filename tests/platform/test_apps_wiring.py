"""apps: Flux pulls the apps repository and applies the cluster's overlays, in order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.platform.datastore_helpers import (
    applied,
    assert_folders_build,
    depends_on,
    render,
    unit_spec,
    units_of,
)
from tests.support import problems_of


@pytest.fixture(scope="module")
def preview_cluster() -> Any:
    return render()


def test_the_preview_cluster_applies_the_ephemeral_overlay_after_the_platform(
    preview_cluster: Any,
) -> None:
    assert units_of(preview_cluster, "apps-") == [
        "apps-ephemeral",
        "apps-preview-certificate",
        "apps-preview-role-reaper",
        "apps-source",
    ]
    spec = unit_spec(preview_cluster, "apps-ephemeral")
    assert spec["sourceRef"] == {"kind": "GitRepository", "name": "wildside-apps"}
    assert spec["path"] == "./overlays/ephemeral"
    assert set(depends_on(preview_cluster, "apps-ephemeral")) == {
        "cnpg-cluster",
        "vault-secret-store",
        "traefik",
        "cert-manager-issuers",
        "apps-source",
        "apps-preview-certificate",
    }
    repository = applied(preview_cluster, "apps-source", "gitrepository.yaml")
    assert repository["spec"]["url"] == "https://github.com/example/wildside-apps.git"
    assert repository["metadata"]["namespace"] == "flux-system"


def test_one_wildcard_certificate_by_dns01_for_every_preview(preview_cluster: Any) -> None:
    certificate = applied(preview_cluster, "apps-preview-certificate", "certificate.yaml")
    assert certificate["spec"]["dnsNames"] == ["*.previews.dev.example.com"]
    assert certificate["spec"]["issuerRef"]["name"] == "letsencrypt-production"
    # The wildcard Secret lands in traefik's namespace, which traefik's unit creates.
    assert depends_on(preview_cluster, "apps-preview-certificate") == [
        "cert-manager-issuers",
        "traefik",
    ]
    assert preview_cluster.components["apps"].contract()["wildcard_secret"]


def test_a_production_cluster_applies_its_overlay_and_no_previews() -> None:
    stack = render({"cluster": {"name": "prod", "environment": "production"}})
    assert units_of(stack, "apps-", cluster="prod") == ["apps-production", "apps-source"]
    spec = unit_spec(stack, "apps-production", cluster="prod")
    assert spec["path"] == "./overlays/production" and spec["wait"] is True
    assert "apps-source" in depends_on(stack, "apps-production", cluster="prod")


def test_components_switched_off_are_not_waited_for() -> None:
    stack = render({}, {"WILDSIDE_ENABLE_VALKEY": "false", "WILDSIDE_ENABLE_CNPG": "false"})
    assert "cnpg-cluster" not in depends_on(stack, "apps-ephemeral")


def test_rendered_folders_build(preview_cluster: Any, tmp_path: Path) -> None:
    assert_folders_build(tmp_path, preview_cluster.documents, "platform/apps/")


def test_the_preview_domain_must_be_in_the_zone() -> None:
    found = problems_of({"apps": {"preview_domain": "previews.elsewhere.org"}})
    assert "not inside the configured zone 'dev.example.com'" in found["apps.preview_domain"]
    # Empty follows the cluster's domain, wherever it is.
    stack = render({"cluster": {"domain": "prod.example.org"}})
    certificate = applied(stack, "apps-preview-certificate", "certificate.yaml")
    assert certificate["spec"]["dnsNames"] == ["*.previews.prod.example.org"]
