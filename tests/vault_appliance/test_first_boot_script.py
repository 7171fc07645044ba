"""The Droplets' first-boot script, rendered by a real Terraform as it will be on
each node (``count.index`` and the module's variables substituted), then checked
by bash's parser; the module's own refusals are evaluated the same way."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from app.modules import MODULES_DIR
from tests.vault_appliance.conftest import VaultSynth

ENGINE = shutil.which("tofu") or shutil.which("terraform")
pytestmark = pytest.mark.skipif(ENGINE is None, reason="neither tofu nor terraform is installed")


def _apply(folder: Path, config: dict[str, Any], variables: dict[str, Any]) -> Any:
    assert ENGINE is not None
    (folder / "main.tf.json").write_text(json.dumps(config))
    (folder / "test.tfvars.json").write_text(json.dumps(variables))
    env = {**os.environ, "TF_IN_AUTOMATION": "1", "TF_CLI_CONFIG_FILE": os.devnull}
    run = [ENGINE, f"-chdir={folder}"]
    done = subprocess.run(
        [*run, "apply", "-auto-approve", "-no-color", "-input=false", "-var-file=test.tfvars.json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        return done
    out = subprocess.run([*run, "output", "-json"], env=env, capture_output=True, check=True)
    return json.loads(out.stdout)


def _nodes(user_data: str, count: Any, variables: dict[str, Any]) -> dict[str, Any]:
    # terraform_data is built in: the script renders per node without any provider.
    config: dict[str, Any] = {
        "resource": {"terraform_data": {"node": {"count": count, "input": user_data}}},
        "output": {"scripts": {"value": "${terraform_data.node[*].output}"}},
    }
    if variables:  # an empty block is not valid JSON syntax for Terraform
        config["variable"] = variables
    return config


def _check_scripts(scripts: list[str], tmp_path: Path, name: str, fqdn: str) -> None:
    for index, script in enumerate(scripts, start=1):
        assert f'NODE_ID="{name}-{index}"' in script
        assert f"scsi-0DO_Volume_{name}-data-{index}" in script
        assert f'FQDN="{fqdn}"' in script
        assert "${" not in script  # nothing left for Terraform, nothing mistaken by it
        path = tmp_path / f"node-{index}.sh"
        path.write_text(script)
        parsed = subprocess.run(
            ["bash", "-n", str(path)], capture_output=True, text=True, check=False
        )
        assert parsed.returncode == 0, parsed.stderr
        path.unlink()


def test_stack_script_renders_per_node_and_parses(vault_synth: VaultSynth, tmp_path: Path) -> None:
    droplet = vault_synth.only("digitalocean_droplet")
    outputs = _apply(tmp_path, _nodes(droplet["user_data"], droplet["count"], {}), {})
    assert not isinstance(outputs, subprocess.CompletedProcess), outputs.stderr
    scripts = outputs["scripts"]["value"]
    assert len(scripts) == 3
    _check_scripts(scripts, tmp_path, "vault", "secrets.example.com")
    assert 'NODES="3"' in scripts[0] and "retry_join" in scripts[0]
    assert "sha256sum -c" in scripts[0] and "OnCalendar=hourly" in scripts[0]


MODULE_VARS = {
    "domain": "example.org",
    "vault_deb_sha256": "c" * 64,
    "snapshot_bucket": "b-snap",
    "snapshot_endpoint": "https://nyc3.digitaloceanspaces.com",
}


def _module() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        (MODULES_DIR / "vault_appliance" / "main.tf.json").read_text()
    )
    return loaded


def test_module_script_renders_from_its_variables(tmp_path: Path) -> None:
    module = _module()
    (droplet,) = module["resource"]["digitalocean_droplet"].values()
    config = _nodes(droplet["user_data"], droplet["count"], module["variable"])
    outputs = _apply(tmp_path, config, {**MODULE_VARS, "nodes": 2, "name": "kv"})
    scripts = outputs["scripts"]["value"]
    assert len(scripts) == 2
    _check_scripts(scripts, tmp_path, "kv", "vault.example.org")
    assert 'VAULT_SHA256="' + "c" * 64 + '"' in scripts[1]


def _guard(tmp_path: Path, variables: dict[str, Any]) -> Any:
    module = _module()
    (firewall,) = module["resource"]["digitalocean_firewall"].values()
    resource = {"lifecycle": {"precondition": firewall["lifecycle"]["precondition"]}}
    config = {
        "variable": module["variable"],
        "resource": {"terraform_data": {"guard": resource}},
        "output": {"ok": {"value": True}},
    }
    return _apply(tmp_path, config, {**MODULE_VARS, **variables})


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"api_source_ranges": ["0.0.0.0/0"]}, "opens Vault's API to the internet"),
        ({"ssh_source_ranges": ["::/0"]}, "SSH is never open to the whole internet"),
        ({"nodes": 7}, "Use 1 to 5 nodes"),
        ({"vault_deb_sha256": "nope"}, "64 hex digits"),
    ],
)
def test_module_refuses(tmp_path: Path, variables: dict[str, Any], message: str) -> None:
    done = _guard(tmp_path, variables)
    assert isinstance(done, subprocess.CompletedProcess)
    assert message in " ".join(done.stderr.split())


def test_module_accepts_a_world_open_api_with_consent(tmp_path: Path) -> None:
    done = _guard(tmp_path, {"api_source_ranges": ["0.0.0.0/0"], "allow_public_api": True})
    assert done["ok"]["value"] is True
