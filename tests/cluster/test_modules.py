"""infra-modules/: generated from the constructs, committed, and never stale."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from app.modules import MODULES_DIR, SPECS, stale_files

ENGINE = shutil.which("tofu") or shutil.which("terraform")


def _module(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((MODULES_DIR / name / "main.tf.json").read_text())
    return loaded


def test_committed_modules_match_a_fresh_generation() -> None:
    # Regenerates into a temporary folder and compares bytes with the commit.
    assert stale_files() == [], "infra-modules/ is stale: run `make modules` and commit it"


@pytest.mark.parametrize("name", [spec.name for spec in SPECS])
def test_modules_leave_providers_and_state_to_the_caller(name: str) -> None:
    module = _module(name)
    assert "provider" not in module
    assert "backend" not in module["terraform"]
    assert module["terraform"]["required_providers"]
    assert '"//"' not in json.dumps(module)  # no cdktf metadata keys
    readme = (MODULES_DIR / name / "README.md").read_text()
    for variable in module["variable"]:
        assert f"| `{variable}` |" in readme
    for output in module["output"]:
        assert f"| `{output}` |" in readme


def test_doks_module_protects_its_resources_and_takes_pools_as_a_list() -> None:
    module = _module("doks")
    for kind in ("digitalocean_kubernetes_cluster", "digitalocean_kubernetes_node_pool"):
        (resource,) = module["resource"][kind].values()
        assert resource["lifecycle"] == {"prevent_destroy": True}
    assert module["variable"]["node_pools"]["type"].startswith("list(object(")
    assert module["output"]["kubeconfig"]["sensitive"] is True
    assert module["variable"]["vpc_uuid"]["default"] is None


def test_fluxcd_module_takes_the_token_as_a_sensitive_input() -> None:
    module = _module("fluxcd")
    assert module["variable"]["git_token"]["sensitive"] is True
    assert set(module["resource"]) >= {"kubernetes_job_v1", "kubernetes_secret_v1"}
    assert not any(kind == "kubernetes_manifest" for kind in module["resource"])


def _harness(tmp_path: Path) -> Path:
    """The modules' own variables and expressions, evaluated without providers."""
    doks, flux = _module("doks"), _module("fluxcd")
    (pools,) = doks["resource"]["digitalocean_kubernetes_node_pool"].values()
    (cluster,) = doks["resource"]["digitalocean_kubernetes_cluster"].values()
    (versions,) = doks["data"]["digitalocean_kubernetes_versions"].values()
    (secret,) = flux["resource"]["kubernetes_secret_v1"].values()
    (data_address,) = doks["data"]["digitalocean_kubernetes_versions"]
    latest = f"data.digitalocean_kubernetes_versions.{data_address}.latest_version"
    config = {
        "variable": {**doks["variable"], "git_token": flux["variable"]["git_token"]},
        "output": {
            "extra_pools": {"value": pools["for_each"]},
            "default_count": {"value": cluster["node_pool"]["node_count"]},
            "default_taints": {"value": cluster["node_pool"]["dynamic"]["taint"]["for_each"]},
            "version_prefix": {"value": versions["version_prefix"]},
            "version": {"value": cluster["version"].replace(latest, '"newest"')},
            "secret": {"value": secret["data_wo"], "sensitive": True},
        },
    }
    (tmp_path / "main.tf.json").write_text(json.dumps(config))
    return tmp_path


VARS = ["-var-file=test.tfvars.json"]


def _apply(folder: Path, variables: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    assert ENGINE is not None
    (folder / "test.tfvars.json").write_text(json.dumps(variables))
    env = {**os.environ, "TF_IN_AUTOMATION": "1", "TF_CLI_CONFIG_FILE": os.devnull}
    return subprocess.run(
        [ENGINE, f"-chdir={folder}", "apply", "-auto-approve", "-no-color", "-input=false", *VARS],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


POOLS = [
    {"name": "default", "size": "s-2vcpu-4gb", "node_count": 3},
    {"name": "gpu", "size": "g-2vcpu-8gb", "auto_scale": True, "min_nodes": 1, "max_nodes": 2},
]
BASE = {"cluster_name": "dev", "region": "nyc1", "node_pools": POOLS}


@pytest.mark.skipif(ENGINE is None, reason="neither tofu nor terraform is installed")
def test_module_expressions_evaluate_as_documented(tmp_path: Path) -> None:
    folder = _harness(tmp_path)
    done = _apply(folder, {**BASE, "git_token": "", "kubernetes_version": "1.33"})
    assert done.returncode == 0, done.stderr
    env = {**os.environ, "TF_CLI_CONFIG_FILE": os.devnull}
    read = [str(ENGINE), f"-chdir={folder}", "output", "-json"]
    outputs = json.loads(subprocess.run(read, env=env, capture_output=True, check=True).stdout)
    extra = outputs["extra_pools"]["value"]
    assert list(extra) == ["gpu"]
    assert extra["gpu"]["node_count"] is None
    assert (extra["gpu"]["min_nodes"], extra["gpu"]["max_nodes"]) == (1, 2)
    assert outputs["default_count"]["value"] == 3
    assert outputs["default_taints"]["value"] == []
    assert outputs["version_prefix"]["value"] == "1.33."
    assert outputs["version"]["value"] == "newest"
    # No token: an empty Secret, which Flux reads as anonymous HTTPS.
    assert outputs["secret"]["value"] == {}
    done = _apply(folder, {**BASE, "git_token": "t0ken", "kubernetes_version": "1.33.1-do.3"})
    assert done.returncode == 0, done.stderr
    outputs = json.loads(subprocess.run(read, env=env, capture_output=True, check=True).stdout)
    assert outputs["version"]["value"] == "1.33.1-do.3"
    assert outputs["secret"]["value"] == {"username": "git", "password": "t0ken"}
    assert outputs["secret"]["sensitive"] is True


@pytest.mark.skipif(ENGINE is None, reason="neither tofu nor terraform is installed")
@pytest.mark.parametrize(
    ("pools", "message"),
    [
        ([POOLS[0], {**POOLS[0], "size": "s-1vcpu-2gb"}], "Pool names must be unique."),
        ([{**POOLS[1], "min_nodes": 3}], "1 <= min_nodes <= max_nodes"),
        ([{"name": "a", "size": " ", "node_count": 1}], "droplet size slug"),
        ([{"name": "Bad_Name", "size": "s", "node_count": 1}], "DNS label"),
        (
            [{**POOLS[0], "taints": [{"key": "k", "effect": "Sometimes"}]}],
            "Taint effects are NoSchedule",
        ),
        ([], "At least one node pool"),
    ],
)
def test_module_rejects_bad_pools(tmp_path: Path, pools: list[Any], message: str) -> None:
    done = _apply(_harness(tmp_path), {**BASE, "node_pools": pools})
    assert done.returncode != 0
    assert message in " ".join(done.stderr.split())
