"""``wildside vault outputs``: vault-stack's endpoint and CA certificate become step
outputs, read from real engine state (a provider-free stand-in with the same outputs)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.action.runner_sim import parse_command_file
from wildside_constructs.vault_appliance.trust import ISRG_ROOT_X1
from wildside_ops.vault.appliance_action import publish_outputs

ENGINE = shutil.which("tofu") or shutil.which("terraform")
pytestmark = pytest.mark.skipif(ENGINE is None, reason="neither tofu nor terraform is installed")


def _applied_stack(outdir: Path, outputs: dict[str, str]) -> None:
    assert ENGINE is not None
    folder = outdir / "stacks" / "vault-stack"
    folder.mkdir(parents=True)
    config = {"output": {name: {"value": value} for name, value in outputs.items()}}
    (folder / "cdk.tf.json").write_text(json.dumps(config))
    env = {**os.environ, "TF_IN_AUTOMATION": "1", "TF_CLI_CONFIG_FILE": os.devnull}
    for step in (["init", "-input=false"], ["apply", "-auto-approve", "-input=false"]):
        subprocess.run(
            [ENGINE, f"-chdir={folder}", *step], env=env, check=True, capture_output=True
        )


def test_outputs_are_set_from_state(tmp_path: Path) -> None:
    outdir = tmp_path / "cdktf.out"
    _applied_stack(
        outdir, {"endpoint": "https://vault.example.com", "ca_certificate": ISRG_ROOT_X1}
    )
    github_output = tmp_path / "github_output"
    github_output.touch()
    env = {
        **os.environ,
        "TERRAFORM_BINARY_NAME": Path(str(ENGINE)).name,
        "GITHUB_OUTPUT": str(github_output),
    }
    assert publish_outputs(outdir, env) == 0
    written = parse_command_file(github_output.read_text())
    assert written["endpoint"] == "https://vault.example.com"
    assert written["ca_certificate"].strip() == ISRG_ROOT_X1.strip()


def test_before_the_first_apply_it_fails_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outdir = tmp_path / "cdktf.out"
    _applied_stack(outdir, {"other": "x"})
    env = {**os.environ, "TERRAFORM_BINARY_NAME": Path(str(ENGINE)).name}
    assert publish_outputs(outdir, env) == 1
    assert "no endpoint output yet" in capsys.readouterr().err
