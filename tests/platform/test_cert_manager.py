"""cert-manager: the release, one issuer set per solver, and the Cloudflare token."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.config.model import WildsideConfig
from app.stack_settings import cluster_context
from tests.support import (
    NO_SCHEMAS_REASON,
    SCHEMAS,
    all_units,
    example_with,
    problems_of,
    render_platform,
    scratch_app,
    synth_json,
)
from wildside_constructs.settings.vault import CLUSTER_SECRET_STORE, SECRET_STORE_UNIT
from wildside_constructs.validation.tree import schema_problems, substitute
from wildside_constructs.yamlout import dump, load

HTTP01 = {"cert_manager": {"solver": "http01"}}
ISSUERS = "clusters/dev/cert-manager-issuers.yaml"


def flux_vars(stack: Any, unit: str) -> dict[str, str]:
    variables: dict[str, str] = stack.documents[f"clusters/dev/{unit}.yaml"]["spec"]["postBuild"][
        "substitute"
    ]
    return variables


def as_applied(stack: Any, path: str, unit: str) -> Any:
    """The document as Flux hands it to the cluster: substituted and re-parsed."""
    return load(substitute(stack.rendered[path], flux_vars(stack, unit)))


def with_vault(cfg: WildsideConfig) -> Any:
    """Build the construct alone for a cluster that also runs vault_eso.

    vault_eso is another component; building cert-manager on its own shows
    what it renders for such a cluster whether or not vault_eso is registered.
    """
    from cdktf import TerraformStack

    from wildside_constructs.platform.cert_manager import CertManager

    context = cluster_context(cfg)
    context = dataclasses.replace(context, enabled=(*context.enabled, "vault_eso"))
    stack = TerraformStack(scratch_app(), "alone")
    return CertManager(
        stack, "cert_manager", context=context, settings=cfg.settings["cert_manager"]
    )


def test_release_is_pinned_to_the_oci_chart() -> None:
    stack = render_platform(example_with())
    release = stack.documents["platform/cert-manager/helmrelease.yaml"]
    assert release["metadata"]["namespace"] == "cert-manager"
    chart = release["spec"]["chart"]["spec"]
    assert (chart["chart"], chart["version"]) == ("cert-manager", "v1.19.2")
    assert chart["sourceRef"] == {
        "kind": "HelmRepository",
        "name": "jetstack",
        "namespace": "flux-system",
    }
    assert release["spec"]["values"]["crds"] == {"enabled": True, "keep": True}
    assert release["spec"]["install"]["crds"] == "CreateReplace"
    repository = stack.documents["platform/sources/jetstack/helmrepository.yaml"]
    # For an OCI HelmRepository Flux appends the chart name to this URL.
    assert repository["spec"] == {
        "interval": "24h",
        "type": "oci",
        "url": "oci://quay.io/jetstack/charts",
    }
    assert stack.documents["platform/cert-manager/namespace.yaml"]["metadata"]["name"] == (
        "cert-manager"
    )
    unit = stack.documents["clusters/dev/cert-manager.yaml"]["spec"]
    assert unit["path"] == "./platform/cert-manager"
    assert unit["dependsOn"] == [{"name": "sources"}]
    # Network policies are checked in tests/platform/test_network_policies.py.
    assert [
        r
        for r in stack.documents["platform/cert-manager/kustomization.yaml"]["resources"]
        if not r.startswith("networkpolicy-")
    ] == [
        "helmrelease.yaml",
        "namespace.yaml",
    ]


def test_disabling_removes_every_cert_manager_file() -> None:
    off = {
        "WILDSIDE_ENABLE_CERT_MANAGER": "false",
        "WILDSIDE_ENABLE_RABBITMQ": "false",
        "WILDSIDE_ENABLE_OBSERVABILITY": "false",
    }
    stack = render_platform(example_with(env=off))
    assert not [p for p in stack.rendered if "cert-manager" in p or "jetstack" in p]
    assert "cert_manager" not in stack.components
    root = stack.documents["clusters/dev/kustomization.yaml"]["resources"]
    assert not [name for name in root if name.startswith("cert-manager")]
    assert "cert_manager_contract" not in synth_json(stack)["output"]
    # The rest of the platform still renders.
    assert "platform/traefik/helmrelease.yaml" in stack.rendered


def test_settings_travel_as_substitutions() -> None:
    cfg = example_with(
        {
            "cert_manager": {
                "replicas": 2,
                "webhook_replicas": 5,
                "pdb_enabled": False,
                "cainjector_resources": {"memory_limit": "300Mi"},
            }
        },
        {"WILDSIDE_ACME_EMAIL": "certs@example.org"},
    )
    stack = render_platform(cfg)
    variables = flux_vars(stack, "cert-manager")
    assert variables["cert_manager_replicas"] == "2"
    assert variables["cert_manager_webhook_replicas"] == "5"
    assert variables["cert_manager_cainjector_replicas"] == "3"
    assert variables["cert_manager_pdb_enabled"] == "false"
    assert variables["cert_manager_cainjector_memory_limit"] == "300Mi"
    # Fields left out keep the helper defaults, not the generic ones.
    assert variables["cert_manager_cainjector_cpu_limit"] == "200m"
    text = stack.rendered["platform/cert-manager/helmrelease.yaml"]
    assert "replicaCount: ${cert_manager_replicas}" in text
    values = as_applied(stack, "platform/cert-manager/helmrelease.yaml", "cert-manager")["spec"][
        "values"
    ]
    assert values["replicaCount"] == 2
    assert values["webhook"]["replicaCount"] == 5
    assert values["podDisruptionBudget"] == {"enabled": False, "maxUnavailable": 1}
    assert values["cainjector"]["resources"]["limits"]["memory"] == "300Mi"
    assert flux_vars(stack, "cert-manager-issuers")["acme_email"] == "certs@example.org"


def test_platform_files_are_the_same_for_every_cluster() -> None:
    first = render_platform(example_with())
    second = render_platform(
        example_with(
            {"cert_manager": {"replicas": 1, "cloudflare": {"secret_name": "cf"}}},
            {
                "WILDSIDE_CLUSTER_NAME": "prod",
                "WILDSIDE_DOMAIN": "prod.example.net",
                "WILDSIDE_ACME_EMAIL": "ops@example.net",
            },
        )
    )
    shared = [p for p in first.rendered if p.startswith("platform/cert-manager/")]
    # Release, DNS-01 issuers, (vault_eso being on) the token's ExternalSecret and
    # the namespace's four network policies (metrics scraping: observability is on).
    assert len(shared) == 12
    assert all(first.rendered[p] == second.rendered[p] for p in shared)
    assert (
        first.rendered["clusters/dev/cert-manager.yaml"]
        != second.rendered["clusters/prod/cert-manager.yaml"]
    )


def test_dns01_issuers_read_the_configured_token_secret() -> None:
    cfg = example_with(
        {"cert_manager": {"cloudflare": {"secret_name": "cf-dns", "secret_key": "tok"}}}
    )
    stack = render_platform(cfg)
    folder = "platform/cert-manager/issuers-dns01-cloudflare"
    assert stack.documents[ISSUERS]["spec"]["path"] == f"./{folder}"
    assert not [p for p in stack.rendered if "issuers-http01" in p]
    assert flux_vars(stack, "cert-manager-issuers") == {
        "acme_email": "platform@example.com",
        "cert_manager_cloudflare_secret_key": "tok",
        "cert_manager_cloudflare_secret_name": "cf-dns",
    }
    for env, server in (("staging", "acme-staging-v02"), ("production", "acme-v02")):
        path = f"{folder}/clusterissuer-letsencrypt-{env}.yaml"
        assert "${cert_manager_cloudflare_secret_name}" in stack.rendered[path]
        acme = as_applied(stack, path, "cert-manager-issuers")["spec"]["acme"]
        assert server in acme["server"]
        assert acme["email"] == "platform@example.com"
        assert acme["privateKeySecretRef"] == {"name": f"letsencrypt-{env}-account-key"}
        (solver,) = acme["solvers"]
        assert solver["dns01"]["cloudflare"]["apiTokenSecretRef"] == {
            "name": "cf-dns",
            "key": "tok",
        }


def test_http01_issuers_go_through_traefik() -> None:
    stack = render_platform(example_with(HTTP01))
    folder = "platform/cert-manager/issuers-http01"
    unit = stack.documents[ISSUERS]["spec"]
    assert unit["path"] == f"./{folder}"
    assert {"name": "traefik"} in unit["dependsOn"]
    assert not [p for p in stack.rendered if "dns01" in p]
    assert flux_vars(stack, "cert-manager-issuers") == {"acme_email": "platform@example.com"}
    names = set()
    for path in stack.rendered:
        if path.startswith(f"{folder}/clusterissuer-"):
            issuer = stack.documents[path]
            names.add(issuer["metadata"]["name"])
            (solver,) = issuer["spec"]["acme"]["solvers"]
            assert solver == {"http01": {"ingress": {"ingressClassName": "traefik"}}}
    assert names == {"letsencrypt-staging", "letsencrypt-production"}


def test_http01_without_traefik_is_a_configuration_error() -> None:
    problems = problems_of(
        HTTP01, {"WILDSIDE_ENABLE_TRAEFIK": "false", "WILDSIDE_ENABLE_OBSERVABILITY": "false"}
    )
    assert "cert_manager" in problems["components.traefik"]
    # DNS-01 has no such need.
    example_with(env={"WILDSIDE_ENABLE_TRAEFIK": "false", "WILDSIDE_ENABLE_OBSERVABILITY": "false"})


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"solver": "dns01-route53"}, "cert_manager.solver"),
        ({"replicas": 0}, "cert_manager.replicas"),
        ({"webhook_resources": {"cpu_limit": "lots"}}, "cert_manager.webhook_resources.cpu_limit"),
        ({"cloudflare": {"secret_name": ""}}, "cert_manager.cloudflare.secret_name"),
        ({"cloudflare": {"secret_name": "Cloudflare"}}, "cert_manager.cloudflare.secret_name"),
        ({"cloudflare": {"secret_key": "true"}}, "cert_manager.cloudflare.secret_key"),
        ({"cloudflare": {"vault_path": "/abs/${x}"}}, "cert_manager.cloudflare.vault_path"),
        ({"cloudflare": {"vault_property": ""}}, "cert_manager.cloudflare.vault_property"),
    ],
)
def test_bad_settings_name_the_field(overrides: dict[str, Any], field: str) -> None:
    assert field in problems_of({"cert_manager": overrides})


def test_token_settings_are_not_checked_for_http01() -> None:
    cfg = example_with({"cert_manager": {"solver": "http01", "cloudflare": {"secret_name": ""}}})
    assert cfg.settings["cert_manager"].solver == "http01"


def test_vault_clusters_get_an_external_secret_for_the_token() -> None:
    component = with_vault(example_with({"cert_manager": {"cloudflare": {"secret_name": "cf"}}}))
    units = {unit.name: unit for unit in component.units}
    token = units["cert-manager-cloudflare-token"]
    assert token.folder == "platform/cert-manager/cloudflare-token"
    assert token.depends_on == ("cert-manager", SECRET_STORE_UNIT)
    # The issuers wait for the token, so the first challenge finds it.
    assert units["cert-manager-issuers"].depends_on == (
        "cert-manager",
        "cert-manager-cloudflare-token",
    )
    (secret,) = token.documents.values()
    assert secret["apiVersion"] == "external-secrets.io/v1"
    assert secret["metadata"]["namespace"] == "cert-manager"
    assert secret["spec"]["secretStoreRef"] == {
        "kind": "ClusterSecretStore",
        "name": CLUSTER_SECRET_STORE,
    }
    applied = load(substitute(dump(secret), token.variables))
    assert applied["spec"]["target"]["name"] == "cf"
    assert applied["spec"]["data"] == [
        {
            "secretKey": "api-token",
            "remoteRef": {"key": "wildside/dev/cloudflare", "property": "api_token"},
        }
    ]


def test_without_vault_or_with_http01_there_is_no_external_secret() -> None:
    for overrides in ({}, HTTP01):
        stack = render_platform(
            example_with(
                overrides,
                {"WILDSIDE_ENABLE_VAULT_ESO": "false", "WILDSIDE_ENABLE_OBSERVABILITY": "false"},
            )
        )
        assert not [d for d in stack.documents.values() if d.get("kind") == "ExternalSecret"]
    # HTTP-01 needs no token, so a vault cluster gets none either.
    alone = with_vault(example_with(HTTP01))
    assert [unit.name for unit in alone.units] == ["cert-manager", "cert-manager-issuers"]


def test_full_render_with_vault_eso_orders_the_token_after_the_store() -> None:
    stack = render_platform(example_with())
    spec = stack.documents["clusters/dev/cert-manager-cloudflare-token.yaml"]["spec"]
    assert {"name": SECRET_STORE_UNIT} in spec["dependsOn"]
    secret = stack.documents["platform/cert-manager/cloudflare-token/externalsecret.yaml"]
    assert secret["apiVersion"] == "external-secrets.io/v1"


def test_no_secret_carries_data() -> None:
    for cfg in (example_with(), example_with(HTTP01)):
        for document in render_platform(cfg).documents.values():
            if document.get("kind") == "Secret":
                assert not {"data", "stringData"} & set(document)
    for document in with_vault(example_with()).files.values():
        assert document.get("kind") != "Secret"


@pytest.mark.skipif(SCHEMAS is None, reason=NO_SCHEMAS_REASON)
def test_every_variant_is_schema_valid_after_substitution() -> None:
    assert SCHEMAS is not None
    for cfg in (example_with(), example_with(HTTP01)):
        stack = render_platform(cfg, schemas=False)
        assert schema_problems(stack.documents, all_units(stack), SCHEMAS) == []
    component = with_vault(example_with())
    assert schema_problems(component.files, component.units, SCHEMAS) == []
    kinds = {f"{d['apiVersion']}/{d['kind']}" for d in component.files.values()}
    assert {"cert-manager.io/v1/ClusterIssuer", "external-secrets.io/v1/ExternalSecret"} <= kinds


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kustomize_builds_every_cert_manager_folder(tmp_path: Path) -> None:
    files = dict(with_vault(example_with()).files)
    files.update(render_platform(example_with(HTTP01)).documents)
    folders = {p.rsplit("/", 1)[0] for p in files if p.startswith("platform/cert-manager")}
    assert len(folders) == 4
    for path, document in files.items():
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(dump(document), encoding="utf-8")
    for folder in sorted(folders):
        built = subprocess.run(
            ["kubectl", "kustomize", str(tmp_path / folder)],
            check=False,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert built.returncode == 0, f"{folder}: {built.stderr}"
        listed = files[f"{folder}/kustomization.yaml"]["resources"]
        assert len(list(yaml.safe_load_all(built.stdout))) == len(listed)


def test_contract_publishes_issuers_and_solver() -> None:
    stack = render_platform(example_with())
    component = stack.components["cert_manager"].cert_manager_contract
    assert (component.staging_issuer, component.production_issuer) == (
        "letsencrypt-staging",
        "letsencrypt-production",
    )
    assert component.namespace == "cert-manager"
    contract = synth_json(stack)["output"]["cert_manager_contract"]["value"]
    assert contract["solver"] == "dns01-cloudflare"
    assert contract["issuer_refs"]["production"] == {
        "name": "letsencrypt-production",
        "kind": "ClusterIssuer",
        "group": "cert-manager.io",
    }
    assert contract["issuers_unit"] == "cert-manager-issuers"
