"""external-dns: the Cloudflare release, its token, and the order they start in."""

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

RELEASE = "platform/external-dns/helmrelease.yaml"
ZONE_ID = "0123456789abcdef0123456789abcdef"


def flux_vars(stack: Any, unit: str, cluster: str = "dev") -> dict[str, str]:
    variables: dict[str, str] = stack.documents[f"clusters/{cluster}/{unit}.yaml"]["spec"][
        "postBuild"
    ]["substitute"]
    return variables


def applied_values(stack: Any, cluster: str = "dev") -> Any:
    """The release values as Flux hands them to Helm: substituted and re-parsed."""
    text = substitute(stack.rendered[RELEASE], flux_vars(stack, "external-dns", cluster))
    return load(text)["spec"]["values"]


def with_vault(cfg: WildsideConfig) -> Any:
    """Build the construct alone for a cluster that also runs vault_eso."""
    from cdktf import TerraformStack

    from wildside_constructs.platform.external_dns import ExternalDns

    context = cluster_context(cfg)
    context = dataclasses.replace(context, enabled=(*context.enabled, "vault_eso"))
    stack = TerraformStack(scratch_app(), "alone")
    return ExternalDns(
        stack, "external_dns", context=context, settings=cfg.settings["external_dns"]
    )


def test_release_is_pinned_and_watches_the_cluster_domain() -> None:
    stack = render_platform(example_with())
    release = stack.documents[RELEASE]
    assert release["metadata"]["namespace"] == "external-dns"
    chart = release["spec"]["chart"]["spec"]
    assert (chart["chart"], chart["version"]) == ("external-dns", "1.19.0")
    assert chart["sourceRef"] == {
        "kind": "HelmRepository",
        "name": "external-dns",
        "namespace": "flux-system",
    }
    repository = stack.documents["platform/sources/external-dns/helmrepository.yaml"]
    assert repository["spec"]["url"] == "https://kubernetes-sigs.github.io/external-dns/"
    assert "type" not in repository["spec"]
    namespace = stack.documents["platform/external-dns/namespace/namespace.yaml"]
    assert namespace["metadata"]["name"] == "external-dns"
    values = applied_values(stack)
    assert values["provider"] == {"name": "cloudflare"}
    assert values["domainFilters"] == ["dev.example.com"]
    assert values["txtOwnerId"] == "dev"
    assert values["policy"] == "sync"
    assert values["sources"] == ["ingress", "service"]
    assert values["interval"] == "1m"
    assert values["extraArgs"] == ["--no-cloudflare-proxied", "--zone-id-filter="]
    (env,) = values["env"]
    assert env == {
        "name": "CF_API_TOKEN",
        "valueFrom": {"secretKeyRef": {"name": "cloudflare-api-token", "key": "api-token"}},
    }


def test_namespace_comes_before_the_release() -> None:
    stack = render_platform(example_with())
    spec = stack.documents["clusters/dev/external-dns.yaml"]["spec"]
    assert spec["path"] == "./platform/external-dns"
    assert spec["dependsOn"] == [
        {"name": "sources"},
        {"name": "external-dns-namespace"},
        {"name": "external-dns-cloudflare-token"},
    ]
    namespace_unit = stack.documents["clusters/dev/external-dns-namespace.yaml"]["spec"]
    assert namespace_unit["path"] == "./platform/external-dns/namespace"
    assert stack.documents["platform/external-dns/kustomization.yaml"]["resources"] == [
        "helmrelease.yaml"
    ]


def test_disabling_removes_every_external_dns_file() -> None:
    stack = render_platform(example_with(env={"WILDSIDE_ENABLE_EXTERNAL_DNS": "false"}))
    assert not [p for p in stack.rendered if "external-dns" in p]
    root = stack.documents["clusters/dev/kustomization.yaml"]["resources"]
    assert not [name for name in root if name.startswith("external-dns")]
    assert "external_dns_contract" not in synth_json(stack)["output"]
    assert "platform/cert-manager/helmrelease.yaml" in stack.rendered


def test_settings_travel_as_substitutions() -> None:
    cfg = example_with(
        {
            "external_dns": {
                "policy": "upsert-only",
                "sources": ["ingress", "traefik-proxy"],
                "interval": "2m",
                "cloudflare_proxied": True,
                "zone_id": ZONE_ID,
                "cloudflare": {"secret_name": "cf-dns", "secret_key": "token"},
                "resources": {"memory_limit": "512Mi"},
            }
        }
    )
    stack = render_platform(cfg)
    variables = flux_vars(stack, "external-dns")
    assert variables["external_dns_policy"] == "upsert-only"
    assert variables["external_dns_cloudflare_secret_name"] == "cf-dns"
    assert variables["external_dns_memory_limit"] == "512Mi"
    assert variables["cluster_domain"] == "dev.example.com"
    text = stack.rendered[RELEASE]
    for placeholder in ("policy: ${external_dns_policy}", "txtOwnerId: ${cluster_name}"):
        assert placeholder in text
    assert "upsert-only" not in text
    values = applied_values(stack)
    assert values["policy"] == "upsert-only"
    assert values["sources"] == ["ingress", "traefik-proxy"]
    assert values["interval"] == "2m"
    assert values["extraArgs"] == ["--cloudflare-proxied", f"--zone-id-filter={ZONE_ID}"]
    assert values["env"][0]["valueFrom"]["secretKeyRef"] == {"name": "cf-dns", "key": "token"}
    assert values["resources"]["limits"] == {"cpu": "200m", "memory": "512Mi"}


def test_another_cluster_shares_the_platform_files() -> None:
    first = render_platform(example_with())
    second = render_platform(
        example_with(
            {"external_dns": {"policy": "upsert-only"}},
            {"WILDSIDE_CLUSTER_NAME": "prod", "WILDSIDE_DOMAIN": "prod.example.net"},
        )
    )
    shared = [p for p in first.rendered if p.startswith("platform/external-dns/")]
    # Namespace, release, (vault_eso being on) the token's ExternalSecret and the
    # namespace's two network policies.
    assert len(shared) == 9  # with the metrics allow: observability is on
    assert all(first.rendered[p] == second.rendered[p] for p in shared)
    values = applied_values(second, "prod")
    assert (values["txtOwnerId"], values["domainFilters"]) == ("prod", ["prod.example.net"])


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"policy": "create-everything"}, "external_dns.policy"),
        ({"sources": []}, "external_dns.sources"),
        ({"sources": ["ingress", "ingress"]}, "external_dns.sources"),
        ({"sources": ["ingress", "carrier-pigeon"]}, "external_dns.sources[1]"),
        ({"interval": "soon"}, "external_dns.interval"),
        ({"zone_id": "example.com"}, "external_dns.zone_id"),
        ({"cloudflare": {"secret_name": ""}}, "external_dns.cloudflare.secret_name"),
        ({"cloudflare": {"secret_key": "a b"}}, "external_dns.cloudflare.secret_key"),
        ({"resources": {"cpu_limit": "1"}}, "external_dns.resources.cpu_limit"),
    ],
)
def test_bad_settings_name_the_field(overrides: dict[str, Any], field: str) -> None:
    assert field in problems_of({"external_dns": overrides})


def test_vault_clusters_get_the_token_before_the_release() -> None:
    component = with_vault(example_with({"external_dns": {"cloudflare": {"vault_path": "cf/x"}}}))
    units = {unit.name: unit for unit in component.units}
    token = units["external-dns-cloudflare-token"]
    assert token.folder == "platform/external-dns/cloudflare-token"
    assert token.depends_on == ("external-dns-namespace", SECRET_STORE_UNIT)
    assert units["external-dns"].depends_on == (
        "sources",
        "external-dns-namespace",
        "external-dns-cloudflare-token",
    )
    (secret,) = token.documents.values()
    assert secret["apiVersion"] == "external-secrets.io/v1"
    assert secret["metadata"]["namespace"] == "external-dns"
    assert secret["spec"]["secretStoreRef"]["name"] == CLUSTER_SECRET_STORE
    applied = load(substitute(dump(secret), token.variables))
    assert applied["spec"]["target"]["name"] == "cloudflare-api-token"
    assert applied["spec"]["data"][0]["remoteRef"] == {"key": "cf/x", "property": "api_token"}


def test_without_vault_there_is_no_external_secret() -> None:
    stack = render_platform(
        example_with(
            env={"WILDSIDE_ENABLE_VAULT_ESO": "false", "WILDSIDE_ENABLE_OBSERVABILITY": "false"}
        )
    )
    assert not [p for p in stack.rendered if "cloudflare-token" in p]
    assert not [d for d in stack.documents.values() if d.get("kind") == "ExternalSecret"]


def test_full_render_with_vault_eso_includes_the_token_unit() -> None:
    stack = render_platform(example_with())
    spec = stack.documents["clusters/dev/external-dns-cloudflare-token.yaml"]["spec"]
    assert {"name": SECRET_STORE_UNIT} in spec["dependsOn"]


def test_no_secret_carries_data() -> None:
    documents = [*render_platform(example_with()).documents.values()]
    documents += with_vault(example_with()).files.values()
    assert not [
        d for d in documents if d.get("kind") == "Secret" and {"data", "stringData"} & set(d)
    ]


@pytest.mark.skipif(SCHEMAS is None, reason=NO_SCHEMAS_REASON)
def test_documents_are_schema_valid_after_substitution() -> None:
    assert SCHEMAS is not None
    stack = render_platform(example_with({"external_dns": {"zone_id": ZONE_ID}}), schemas=False)
    assert schema_problems(stack.documents, all_units(stack), SCHEMAS) == []
    component = with_vault(example_with())
    assert schema_problems(component.files, component.units, SCHEMAS) == []


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kustomize_builds_every_external_dns_folder(tmp_path: Path) -> None:
    files = with_vault(example_with()).files
    folders = {p.rsplit("/", 1)[0] for p in files}
    assert folders == {
        "platform/external-dns",
        "platform/external-dns/namespace",
        "platform/external-dns/cloudflare-token",
    }
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


def test_contract_publishes_the_zone_and_owner() -> None:
    stack = render_platform(example_with())
    component = stack.components["external_dns"].external_dns_contract
    assert component.dns_zone == "dev.example.com"
    assert component.txt_owner_id == "dev"
    assert component.domain_filters == ("dev.example.com",)
    contract = synth_json(stack)["output"]["external_dns_contract"]["value"]
    assert contract["dns_zone"] == "dev.example.com"
    assert contract["txt_owner_id"] == "dev"
    assert contract["domain_filters"] == ["dev.example.com"]
    assert contract["policy"] == "sync"
