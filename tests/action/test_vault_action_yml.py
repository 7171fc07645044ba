"""The bootstrap-vault-appliance action: its contract, its masking, and actionlint."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.runtime import PROJECT_ROOT
from tests.action.test_action_yml import FULL_SHA, _lint

ACTION_DIR = PROJECT_ROOT / ".github" / "actions" / "bootstrap-vault-appliance"
WORKFLOW = PROJECT_ROOT / ".github" / "workflows" / "example-bootstrap-vault-appliance.yml"
SECRETS = {
    "digitalocean_token",
    "spaces_access_key",
    "spaces_secret_key",
    "state_passphrase",
    "unseal_keys",
    "vault_token",
}


@pytest.fixture(scope="module")
def action() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ACTION_DIR / "action.yml").read_text())
    return loaded


def _input_of(value: object) -> str | None:
    found = re.fullmatch(r"\$\{\{ inputs\.(\w+) \}\}", str(value))
    return found.group(1) if found else None


def test_inputs_and_outputs_the_issue_names(action: dict[str, Any]) -> None:
    inputs = action["inputs"]
    assert {"environment", "digitalocean_token", "unseal_keys", "operator_keys"} <= set(inputs)
    assert {"endpoint", "ca_certificate"} <= set(action["outputs"])
    assert all(spec.get("description") for spec in inputs.values())
    assert inputs["check"]["default"] == "false"


def test_every_secret_is_masked_by_the_first_step(action: dict[str, Any]) -> None:
    steps = action["runs"]["steps"]
    first = steps[0]
    assert first["id"] == "mask"
    masked = {_input_of(v) for v in first["env"].values()}
    assert masked == SECRETS
    assert first["run"].split()[2:] == list(first["env"])
    # Every step that receives a secret input receives it only through env:.
    for step in steps:
        assert "${{" not in step.get("run", ""), step.get("id")
        for value in (step.get("with") or {}).values():
            assert _input_of(value) not in SECRETS


def test_third_party_actions_are_pinned_by_commit(action: dict[str, Any]) -> None:
    uses = [step["uses"] for step in action["runs"]["steps"] if "uses" in step]
    assert uses and all(FULL_SHA.match(use) for use in uses)
    workflow = yaml.safe_load(WORKFLOW.read_text())
    (job,) = workflow["jobs"].values()
    external = [s["uses"] for s in job["steps"] if s.get("uses", "").count("@")]
    assert external and all(FULL_SHA.match(use) for use in external)


def test_mask_script_registers_every_line_and_share(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "VAULT_UNSEAL_KEYS": "share-one\nshare-two,share-three",
        "VAULT_TOKEN": "hvs.token%value",
        "DIGITALOCEAN_TOKEN": "",
    }
    done = subprocess.run(
        [
            sys.executable,
            str(ACTION_DIR / "mask.py"),
            "VAULT_UNSEAL_KEYS",
            "VAULT_TOKEN",
            "DIGITALOCEAN_TOKEN",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    lines = set(done.stdout.splitlines())
    for part in ("share-one", "share-two", "share-three", "hvs.token%25value"):
        assert f"::add-mask::{part}" in lines
    assert "::add-mask::" not in lines  # an empty input registers nothing


def test_actionlint_passes_on_the_example_workflow() -> None:
    done = _lint(WORKFLOW)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_passes_on_the_actions_steps(action: dict[str, Any], tmp_path: Path) -> None:
    text = (ACTION_DIR / "action.yml").read_text().replace("github.action_path", "github.workspace")
    steps = yaml.safe_load(text)["runs"]["steps"]
    inputs = {name: {"type": "string", "required": False} for name in action["inputs"]}
    workflow = {
        "on": {"workflow_dispatch": {"inputs": inputs}},
        "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": steps}},
    }
    path = tmp_path / "vault-action-steps.yml"
    path.write_text(yaml.safe_dump(workflow, sort_keys=False))
    done = _lint(path)
    assert done.returncode == 0, done.stdout + done.stderr
