"""cluster-stack's synthesised JSON: the properties users and the engine rely on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cluster.conftest import SENTINELS, Synthesised, rich_config, synth_stack
from tests.support import example_with


def test_cluster_settings_reach_the_cluster_resource(synthesised: Synthesised) -> None:
    cluster = synthesised.only("digitalocean_kubernetes_cluster")
    assert cluster["name"] == "prod-ams"
    assert cluster["region"] == "ams3"
    assert cluster["ha"] is True
    assert cluster["auto_upgrade"] is True
    assert cluster["surge_upgrade"] is False
    assert cluster["tags"] == ["env:prod"]
    assert cluster["maintenance_policy"] == {"day": "saturday", "start_time": "02:30"}
    assert cluster["lifecycle"] == {"prevent_destroy": True}
    # A minor resolves to its newest patch through the versions data source.
    (versions,) = synthesised.stack["data"]["digitalocean_kubernetes_versions"].values()
    assert versions["version_prefix"] == "1.33."
    assert "digitalocean_kubernetes_versions" in cluster["version"]


def test_first_pool_from_the_environment_is_the_default_pool(synthesised: Synthesised) -> None:
    pool = synthesised.only("digitalocean_kubernetes_cluster")["node_pool"]
    assert pool["name"] == "system"
    assert pool["size"] == "s-2vcpu-4gb"
    assert pool["node_count"] == 2
    assert pool["labels"] == {"node-role.example.com/system": "true"}
    assert pool["taint"] == [
        {"key": "CriticalAddonsOnly", "value": "true", "effect": "PreferNoSchedule"}
    ]
    assert pool["tags"] == ["pool:system"]


def test_extra_pools_are_node_pool_resources_keyed_by_name(synthesised: Synthesised) -> None:
    pools = synthesised.only("digitalocean_kubernetes_node_pool")
    assert pools["lifecycle"]["prevent_destroy"] is True
    assert "digitalocean_kubernetes_cluster" in pools["cluster_id"]
    by_name = pools["for_each"]
    assert sorted(by_name) == ["batch", "workers"]
    workers = by_name["workers"]
    # Autoscaled: bounds only, so no plan ever fights the autoscaler over node_count.
    assert workers["auto_scale"] is True
    assert (workers["min_nodes"], workers["max_nodes"]) == (1, 5)
    assert "node_count" not in workers
    assert workers["labels"] == {"workload": "general"}
    assert workers["taints"] == [{"key": "dedicated", "value": "workers", "effect": "NoSchedule"}]
    assert by_name["batch"]["node_count"] == 1
    assert by_name["batch"]["auto_scale"] is False
    # Each instance reads its own settings; taints become a dynamic block.
    assert pools["size"] == "${each.value.size}"
    assert pools["node_count"] == "${try(each.value.node_count, null)}"
    taint = pools["dynamic"]["taint"]
    assert taint["for_each"] == "${try(each.value.taints, [])}"
    assert taint["content"]["effect"] == "${taint.value.effect}"


def test_created_vpc_is_protected_and_used_by_the_cluster(synthesised: Synthesised) -> None:
    vpc = synthesised.only("digitalocean_vpc")
    assert vpc["name"] == "prod-ams-vpc"
    assert vpc["region"] == "ams3"
    assert vpc["ip_range"] == "10.20.0.0/16"
    assert vpc["lifecycle"]["prevent_destroy"] is True
    (address,) = synthesised.resources("digitalocean_vpc")
    cluster = synthesised.only("digitalocean_kubernetes_cluster")
    assert cluster["vpc_uuid"] == f"${{digitalocean_vpc.{address}.id}}"


def test_outputs_expose_ids_and_keep_the_kubeconfig_sensitive(synthesised: Synthesised) -> None:
    outputs = synthesised.stack["output"]
    for name, attribute in (
        ("cluster_id", "id"),
        ("cluster_urn", "urn"),
        ("cluster_endpoint", "endpoint"),
        ("vpc_id", "vpc_uuid"),
    ):
        assert outputs[name]["value"].endswith(f".{attribute}}}"), name
        assert not outputs[name].get("sensitive"), name
    assert outputs["kubeconfig"]["sensitive"] is True
    assert outputs["kubeconfig"]["value"].endswith(".kube_config[0].raw_config}")


def test_s3_backend_has_a_key_per_cluster_and_stack_and_no_credentials(
    synthesised: Synthesised,
) -> None:
    backend = synthesised.stack["terraform"]["backend"]
    assert list(backend) == ["s3"]
    assert backend["s3"] == {
        "bucket": "wildside-tofu-state",
        "key": "clusters/prod-ams/cluster-stack.tfstate",
        "region": "us-east-1",
        "endpoints": {"s3": "https://ams3.digitaloceanspaces.com"},
        "use_path_style": True,
        "use_lockfile": True,
        "skip_credentials_validation": True,
        "skip_region_validation": True,
        "skip_requesting_account_id": True,
        "skip_metadata_api_check": True,
        "skip_s3_checksum": True,
    }


def test_local_backend_stays_the_default() -> None:
    stack = synth_stack(example_with())
    assert stack["terraform"]["backend"] == {
        "local": {"path": "../../../terraform.cluster-stack.tfstate"}
    }
    assert "encryption" not in stack["terraform"]
    assert "state_passphrase" not in stack.get("variable", {})


def test_encryption_block_reads_the_passphrase_from_a_variable(synthesised: Synthesised) -> None:
    encryption = synthesised.stack["terraform"]["encryption"]
    assert encryption["key_provider"] == {
        "pbkdf2": {"default": {"passphrase": "${var.state_passphrase}"}}
    }
    assert encryption["method"] == {
        "aes_gcm": {"default": {"keys": "${key_provider.pbkdf2.default}"}}
    }
    for target in ("state", "plan"):
        assert encryption[target] == {"method": "${method.aes_gcm.default}", "enforced": True}
    variable = synthesised.stack["variable"]["state_passphrase"]
    assert variable["sensitive"] is True
    assert "default" not in variable  # no silent empty passphrase
    # No validation block: a failing one prints the value it checks (opentofu#2219);
    # synth checks the length instead (test_state_defaults).
    assert "validation" not in variable


def _sync(synthesised: Synthesised) -> dict[str, Any]:
    job = synthesised.only("kubernetes_job_v1")
    (container,) = job["spec"]["template"]["spec"]["container"]
    env = {item["name"]: item["value"] for item in container["env"]}
    loaded: dict[str, Any] = json.loads(env["FLUX_SYNC"])
    return loaded


def test_flux_bootstrap_points_at_the_repository_branch_and_cluster_path(
    synthesised: Synthesised,
) -> None:
    source, kustomization = _sync(synthesised)["items"]
    assert source["kind"] == "GitRepository"
    assert source["spec"]["url"] == "https://github.com/example/wildside-gitops.git"
    assert source["spec"]["ref"] == {"branch": "live"}
    assert source["spec"]["secretRef"] == {"name": "flux-system"}
    assert kustomization["kind"] == "Kustomization"
    assert kustomization["spec"]["path"] == "./clusters/prod-ams"
    assert kustomization["spec"]["prune"] is True
    assert kustomization["spec"]["sourceRef"] == {"kind": "GitRepository", "name": "flux-system"}
    assert synthesised.stack["output"]["flux_path"]["value"] == "./clusters/prod-ams"


def test_flux_sync_objects_match_the_upstream_schemas(synthesised: Synthesised) -> None:
    from tests.support import NO_SCHEMAS_REASON, SCHEMAS

    if SCHEMAS is None:
        pytest.skip(NO_SCHEMAS_REASON)
    for document in _sync(synthesised)["items"]:
        assert SCHEMAS.problems(document["kind"], document) == []


def test_flux_version_is_pinned_and_reruns_only_on_input_change(synthesised: Synthesised) -> None:
    from wildside_constructs.cluster.flux_sync import FLUX_VERSION

    job = synthesised.only("kubernetes_job_v1")
    (container,) = job["spec"]["template"]["spec"]["container"]
    digest = synthesised.config.flux.cli_digest
    assert container["image"] == f"ghcr.io/fluxcd/flux-cli:v{FLUX_VERSION}@{digest}"
    assert FLUX_VERSION.count(".") == 2 and "latest" not in container["image"]
    assert "flux install" in container["command"][-1]
    assert job["wait_for_completion"] is True
    # A completed Job is kept (no TTL): deleting it would make every plan re-create it.
    assert "ttl_seconds_after_finished" not in job["spec"]
    (inputs_address,) = synthesised.resources("terraform_data")
    assert job["lifecycle"]["replace_triggered_by"] == [f"${{terraform_data.{inputs_address}}}"]
    inputs = synthesised.only("terraform_data")["input"]
    assert inputs["flux_version"] == FLUX_VERSION
    assert inputs["image"] == container["image"]
    assert inputs["revision"] == "3"


def test_flux_git_token_is_a_sensitive_variable_feeding_the_secret(
    synthesised: Synthesised,
) -> None:
    variable = synthesised.stack["variable"]["flux_git_token"]
    assert variable == {
        "type": "string",
        "default": "",
        "sensitive": True,
        "nullable": False,
        "description": variable["description"],
    }
    secret = synthesised.only("kubernetes_secret_v1")
    assert secret["metadata"]["name"] == "flux-system"
    assert secret["metadata"]["namespace"] == "flux-system"
    # Write-only: sent to the API server, never kept in state or a plan.
    assert "data" not in secret
    assert "var.flux_git_token" in secret["data_wo"]
    assert 'nonsensitive(var.flux_git_token != "")' in secret["data_wo"]
    assert secret["data_wo_revision"] == 3


def test_kubernetes_provider_authenticates_through_doctl(synthesised: Synthesised) -> None:
    (provider,) = synthesised.stack["provider"]["kubernetes"]
    assert provider["host"].endswith(".endpoint}")
    assert provider["cluster_ca_certificate"].startswith("${base64decode(")
    assert "token" not in provider
    (plugin,) = provider["exec"]
    assert plugin["command"] == "doctl"
    assert plugin["args"][:4] == ["kubernetes", "cluster", "kubeconfig", "exec-credential"]
    assert plugin["args"][-1].endswith(".id}")
    # The DigitalOcean provider reads DIGITALOCEAN_TOKEN itself.
    assert synthesised.stack["provider"]["digitalocean"] == [{}]


def test_no_secret_reaches_any_synthesised_file(synthesised: Synthesised) -> None:
    files = [path for path in synthesised.outdir.rglob("*") if path.is_file()]
    assert any(path.name == "cdk.tf.json" for path in files)
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for name, value in SENTINELS.items():
            secret = value.split('"')[-2] if '"' in value else value
            assert secret not in text, f"{name} leaked into {path}"
    backend = json.dumps(synthesised.stack["terraform"]["backend"])
    for key in ("access_key", "secret_key", "token", "profile"):
        assert f'"{key}"' not in backend


def test_synthesis_is_deterministic(
    synthesised: Synthesised, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Same inputs, same bytes: no timestamps, random names or absolute paths,
    # so re-running with unchanged inputs gives the engine nothing to change.
    from app.synth import CLUSTER_STACK, SynthOptions, synthesise

    outdir = tmp_path / "again"
    monkeypatch.setenv("TF_VAR_state_passphrase", SENTINELS["TF_VAR_state_passphrase"])
    synthesise(rich_config(), SynthOptions(stacks=(CLUSTER_STACK,), outdir=outdir, publish=False))
    relative = Path("stacks") / CLUSTER_STACK / "cdk.tf.json"
    assert (outdir / relative).read_bytes() == (synthesised.outdir / relative).read_bytes()


def test_exact_version_and_existing_vpc_need_no_lookups() -> None:
    config = example_with(
        {
            "cluster": {
                "kubernetes_version": "1.33.1-do.3",
                "vpc": {"uuid": "0b5c1e4e-8c7a-4f59-9d0e-3f4a6b7c8d9e"},
            },
            "flux": {"bootstrap": False, "kube_auth": "token"},
        }
    )
    stack = synth_stack(config)
    cluster = next(iter(stack["resource"]["digitalocean_kubernetes_cluster"].values()))
    assert cluster["version"] == "1.33.1-do.3"
    assert cluster["vpc_uuid"] == "0b5c1e4e-8c7a-4f59-9d0e-3f4a6b7c8d9e"
    assert "data" not in stack
    assert "digitalocean_vpc" not in stack["resource"]
    # Without the bootstrap there is no Kubernetes provider, resource or token variable.
    assert "kubernetes" not in stack["provider"]
    assert not any(kind.startswith("kubernetes_") for kind in stack["resource"])
    assert "flux_git_token" not in stack.get("variable", {})


def test_token_auth_uses_the_token_digitalocean_returns() -> None:
    stack = synth_stack(example_with({"flux": {"kube_auth": "token"}}))
    (provider,) = stack["provider"]["kubernetes"]
    assert "exec" not in provider
    assert provider["token"].endswith(".kube_config[0].token}")


def test_allow_destroy_removes_every_prevent_destroy() -> None:
    config = example_with({"cluster": {"allow_destroy": True, "vpc": {"create": True}}})
    stack = synth_stack(config)
    for kind in ("digitalocean_kubernetes_cluster", "digitalocean_vpc"):
        for resource in stack["resource"][kind].values():
            assert resource["lifecycle"]["prevent_destroy"] is False


def test_platform_stack_uses_the_same_backend_under_its_own_key(
    tmp_path: Path, synthesised: Synthesised, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.synth import PLATFORM_STACK, SynthOptions, synthesise

    monkeypatch.setenv("TF_VAR_state_passphrase", SENTINELS["TF_VAR_state_passphrase"])
    synthesise(
        rich_config(),
        SynthOptions(stacks=(PLATFORM_STACK,), outdir=tmp_path / "out", publish=False),
    )
    stack = json.loads((tmp_path / "out/stacks/platform-stack/cdk.tf.json").read_text())
    platform = stack["terraform"]["backend"]["s3"]
    cluster = synthesised.stack["terraform"]["backend"]["s3"]
    assert platform["key"] == "clusters/prod-ams/platform-stack.tfstate"
    assert {k: v for k, v in platform.items() if k != "key"} == {
        k: v for k, v in cluster.items() if k != "key"
    }
    # Encrypted like its sibling: outputs land in state too.
    assert stack["terraform"]["encryption"] == synthesised.stack["terraform"]["encryption"]
