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


def test_fluxcd_module_takes_the_token_and_the_ssh_key_as_sensitive_inputs() -> None:
    module = _module("fluxcd")
    assert module["variable"]["git_token"]["sensitive"] is True
    key = module["variable"]["git_ssh_private_key"]
    assert (key["sensitive"], key["default"]) == (True, "")
    # Existing callers keep HTTPS; the SSH default trusts GitHub's published keys.
    assert module["variable"]["git_auth"]["default"] == "https"
    assert module["variable"]["known_hosts"]["default"].startswith("github.com ssh-ed25519 ")
    # The key reaches only the write-only data_wo (never state) and its own checks.
    uses = [
        path
        for path, value in _strings(module)
        if "var.git_ssh_private_key" in value and path[0] != "variable"
    ]
    (secret,) = module["resource"]["kubernetes_secret_v1"]
    (inputs,) = module["resource"]["terraform_data"]
    assert uses == [
        ("resource", "kubernetes_secret_v1", secret, "data_wo"),
        ("resource", "terraform_data", inputs, "lifecycle", "precondition", "1", "condition"),
    ]
    assert set(module["resource"]) >= {"kubernetes_job_v1", "kubernetes_secret_v1"}
    assert not any(kind == "kubernetes_manifest" for kind in module["resource"])


def _strings(node: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str]]:
    if isinstance(node, dict):
        return [found for k, v in node.items() for found in _strings(v, (*path, k))]
    if isinstance(node, list):
        return [found for i, v in enumerate(node) for found in _strings(v, (*path, str(i)))]
    return [(path, node)] if isinstance(node, str) else []


def _harness(tmp_path: Path) -> Path:
    """The modules' own variables and expressions, evaluated without providers."""
    doks = _module("doks")
    (pools,) = doks["resource"]["digitalocean_kubernetes_node_pool"].values()
    (cluster,) = doks["resource"]["digitalocean_kubernetes_cluster"].values()
    (versions,) = doks["data"]["digitalocean_kubernetes_versions"].values()
    (data_address,) = doks["data"]["digitalocean_kubernetes_versions"]
    latest = f"data.digitalocean_kubernetes_versions.{data_address}.latest_version"
    config = {
        "variable": doks["variable"],
        "output": {
            "extra_pools": {"value": pools["for_each"]},
            "default_count": {"value": cluster["node_pool"]["node_count"]},
            "default_taints": {"value": cluster["node_pool"]["dynamic"]["taint"]["for_each"]},
            "version_prefix": {"value": versions["version_prefix"]},
            "version": {"value": cluster["version"].replace(latest, '"newest"')},
        },
    }
    (tmp_path / "main.tf.json").write_text(json.dumps(config))
    return tmp_path


VARS = ["-var-file=test.tfvars.json"]


def _apply(
    folder: Path, variables: dict[str, Any], command: str = "apply", key: str | None = None
) -> subprocess.CompletedProcess[str]:
    assert ENGINE is not None
    (folder / "test.tfvars.json").write_text(json.dumps(variables))
    env = {**os.environ, "TF_IN_AUTOMATION": "1", "TF_CLI_CONFIG_FILE": os.devnull}
    if key is not None:
        # As documented: the environment, never a file (an engine error quotes file lines).
        env["TF_VAR_git_ssh_private_key"] = key
    auto = ["-auto-approve"] if command == "apply" else []
    return subprocess.run(
        [ENGINE, f"-chdir={folder}", command, *auto, "-no-color", "-input=false", *VARS],
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
    done = _apply(folder, {**BASE, "kubernetes_version": "1.33"})
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
    done = _apply(folder, {**BASE, "kubernetes_version": "1.33.1-do.3"})
    assert done.returncode == 0, done.stderr
    outputs = json.loads(subprocess.run(read, env=env, capture_output=True, check=True).stdout)
    assert outputs["version"]["value"] == "1.33.1-do.3"


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


def _flux_harness(tmp_path: Path, *, show_secret: bool = True) -> Path:
    """fluxcd's variables, locals, terraform_data (with its preconditions) and Secret data."""
    flux = _module("fluxcd")
    (secret,) = flux["resource"]["kubernetes_secret_v1"].values()
    outputs = {"revision": {"value": secret["data_wo_revision"]}}
    if show_secret:
        outputs["secret"] = {"value": secret["data_wo"], "sensitive": True}
    config = {
        "variable": flux["variable"],
        "locals": flux["locals"],
        "resource": {"terraform_data": flux["resource"]["terraform_data"]},
        "output": outputs,
    }
    (tmp_path / "main.tf.json").write_text(json.dumps(config))
    return tmp_path


DIGEST = "sha256:" + "0" * 64
FLUX = {"cluster_name": "dev", "image_digest": DIGEST}
HTTPS = {**FLUX, "repository_url": "https://github.com/acme/gitops.git"}
SENTINEL = "SENTINEL-7f3a9c-not-a-real-key"
KEY = f"-----BEGIN OPENSSH PRIVATE KEY-----\n{SENTINEL}\n-----END OPENSSH PRIVATE KEY-----\n"
SSH = {**FLUX, "git_auth": "ssh", "repository_url": "ssh://git@github.com/acme/gitops.git"}


def _outputs(folder: Path) -> dict[str, Any]:
    env = {**os.environ, "TF_CLI_CONFIG_FILE": os.devnull}
    read = [str(ENGINE), f"-chdir={folder}", "output", "-json"]
    loaded: dict[str, Any] = json.loads(
        subprocess.run(read, env=env, capture_output=True, check=True).stdout
    )
    return {name: output["value"] for name, output in loaded.items()}


@pytest.mark.skipif(ENGINE is None, reason="neither tofu nor terraform is installed")
def test_fluxcd_module_secret_over_https_and_ssh(tmp_path: Path) -> None:
    folder = _flux_harness(tmp_path)
    # Existing callers (no new variables): the Secret and its revision as before.
    done = _apply(folder, HTTPS)
    assert done.returncode == 0, done.stderr
    # No token: an empty Secret, which Flux reads as anonymous HTTPS.
    assert _outputs(folder) == {"secret": {}, "revision": 1}
    done = _apply(folder, {**HTTPS, "git_token": "t0ken", "revision": 3})
    assert done.returncode == 0, done.stderr
    assert _outputs(folder) == {"secret": {"username": "git", "password": "t0ken"}, "revision": 3}
    done = _apply(folder, {**SSH, "git_token": "unused"}, key=KEY)
    assert done.returncode == 0, done.stderr
    outputs = _outputs(folder)
    assert set(outputs["secret"]) == {"identity", "known_hosts"}
    assert outputs["secret"]["identity"] == KEY
    lines = outputs["secret"]["known_hosts"].splitlines()
    assert [line.split()[:2] for line in lines] == [
        ["github.com", "ssh-ed25519"],
        ["github.com", "ecdsa-sha2-nistp256"],
        ["github.com", "ssh-rsa"],
    ]
    # Switching to SSH changed the revision, so the provider re-sends the Secret;
    # a rotated key (a new version) changes it again.
    assert outputs["revision"] == 2
    done = _apply(folder, {**SSH, "git_ssh_key_version": 4}, key=KEY)
    assert done.returncode == 0, done.stderr
    assert _outputs(folder)["revision"] == 6


@pytest.mark.skipif(ENGINE is None, reason="neither tofu nor terraform is installed")
def test_fluxcd_module_keeps_the_ssh_key_out_of_state_and_output(tmp_path: Path) -> None:
    folder = _flux_harness(tmp_path, show_secret=False)
    done = _apply(folder, SSH, key=KEY)
    assert done.returncode == 0, done.stderr
    assert (folder / "terraform.tfstate").is_file()
    assert SENTINEL not in (folder / "terraform.tfstate").read_text()
    assert SENTINEL not in done.stdout + done.stderr
    assert SENTINEL not in (MODULES_DIR / "fluxcd" / "main.tf.json").read_text()


@pytest.mark.skipif(ENGINE is None, reason="neither tofu nor terraform is installed")
@pytest.mark.parametrize(
    ("variables", "key", "message"),
    [
        ({**HTTPS, "git_auth": "gpg"}, None, 'Use "https" or "ssh".'),
        (
            {**SSH, "repository_url": HTTPS["repository_url"]},
            KEY,
            'git_auth "ssh" needs an ssh://git@host[:port]/path repository_url',
        ),
        ({**HTTPS, "repository_url": SSH["repository_url"]}, None, 'and "https" an https:// one'),
        (
            {**SSH, "repository_url": "git@github.com:acme/gitops.git"},
            KEY,
            "Use an https:// URL, or ssh://git@host[:port]/path",
        ),
        (SSH, None, 'git_auth "ssh" needs git_ssh_private_key'),
        (SSH, SENTINEL, "the deploy key's OpenSSH private key"),
        (
            {**SSH, "repository_url": "ssh://git@gitlab.com/a/b.git"},
            KEY,
            "known_hosts has no line for the repository's host",
        ),
    ],
)
def test_fluxcd_module_refuses_bad_git_settings(
    tmp_path: Path, variables: dict[str, Any], key: str | None, message: str
) -> None:
    done = _apply(_flux_harness(tmp_path), variables, "plan", key=key)
    assert done.returncode != 0
    assert message in " ".join(done.stderr.split())
    assert SENTINEL not in done.stdout + done.stderr
