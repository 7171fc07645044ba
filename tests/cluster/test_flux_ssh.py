"""cluster-stack with ``gitops.auth = "ssh"``: Flux reads the repository with the deploy key.

The key reaches the stack only as a sensitive variable; the synthesised JSON
holds the variable's name, the public host keys and the ssh:// URL, never key
material. The real engine evaluates the Secret's expressions.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cluster.conftest import synth_stack
from tests.support import example_with
from wildside_constructs.cluster.git_ssh import KNOWN_HOSTS_FILE
from wildside_ops.repo_bootstrap.deploy_key import generate

ENGINE = shutil.which("terraform") or shutil.which("tofu")
URL = "https://github.com/example/wildside-gitops.git"
SSH_URL = "ssh://git@github.com/example/wildside-gitops.git"
# A real key, made for this module only: no output may hold any line of it.
SENTINEL = generate("sentinel (tests)")


def key_lines() -> list[str]:
    return [line for line in SENTINEL.private.splitlines() if "-----" not in line]


@pytest.fixture(scope="module")
def ssh_stack() -> dict[str, Any]:
    return synth_stack(
        example_with({"gitops": {"auth": "ssh", "repository_url": URL}, "flux": {"revision": 3}})
    )


def _secret(stack: dict[str, Any]) -> dict[str, Any]:
    (secret,) = stack["resource"]["kubernetes_secret_v1"].values()
    return dict(secret)


def test_the_git_repository_clones_over_ssh_with_the_flux_system_secret(
    ssh_stack: dict[str, Any],
) -> None:
    (inputs,) = ssh_stack["resource"]["terraform_data"].values()
    source, _kustomization = json.loads(inputs["input"]["sync"])["items"]
    assert source["kind"] == "GitRepository"
    assert source["spec"]["url"] == SSH_URL
    assert source["spec"]["secretRef"] == {"name": "flux-system"}
    secret = _secret(ssh_stack)
    assert (secret["metadata"]["namespace"], secret["metadata"]["name"]) == (
        "flux-system",
        "flux-system",
    )


def test_the_key_is_a_required_sensitive_variable_and_the_token_is_gone(
    ssh_stack: dict[str, Any],
) -> None:
    variables = ssh_stack["variable"]
    assert "flux_git_token" not in variables
    key = variables["flux_git_ssh_key"]
    assert key["sensitive"] is True
    assert "default" not in key  # a plan without the key fails, Flux is never left keyless
    assert variables["flux_git_ssh_key_version"]["default"] == 0
    secret = _secret(ssh_stack)
    # Write-only: sent to the API server, never kept in state or a plan.
    assert "data" not in secret
    assert "var.flux_git_ssh_key," in secret["data_wo"]
    # A new Vault version of the key (or a bumped flux.revision) re-sends it, and
    # so does switching from HTTPS (revision 3) even at key version 0.
    assert secret["data_wo_revision"] == "${3 + 1 + var.flux_git_ssh_key_version}"


def test_no_key_material_reaches_the_synthesised_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.synth import CLUSTER_STACK, SynthOptions, synthesise

    monkeypatch.setenv("TF_VAR_flux_git_ssh_key", SENTINEL.private)
    config = example_with({"gitops": {"auth": "ssh", "repository_url": URL}})
    outdir = tmp_path / "out"
    synthesise(config, SynthOptions(stacks=(CLUSTER_STACK,), outdir=outdir, publish=False))
    files = [path for path in outdir.rglob("*") if path.is_file()]
    assert any(path.name == "cdk.tf.json" for path in files)
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert not any(line in text for line in key_lines()), path
        assert SENTINEL.public.split()[1] not in text, path


def test_shipped_github_host_keys_match_the_published_fingerprints() -> None:
    with KNOWN_HOSTS_FILE.open("rb") as handle:
        hosts = tomllib.load(handle)["hosts"]
    github = hosts["github.com"]
    assert github["source"].startswith("https://docs.github.com/")
    assert {key["type"] for key in github["keys"]} == {
        "ssh-ed25519",
        "ecdsa-sha2-nistp256",
        "ssh-rsa",
    }
    for key in github["keys"]:
        blob = base64.b64decode(key["key"], validate=True)
        digest = base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
        assert key["fingerprint"] == f"SHA256:{digest}", key["type"]
        # The blob names its own type first (RFC 4253 string encoding).
        length = int.from_bytes(blob[:4], "big")
        assert blob[4 : 4 + length].decode() == key["type"]


@pytest.fixture
def harness(ssh_stack: dict[str, Any], tmp_path: Path) -> Iterator[Path]:
    """The Secret's variables, local and expressions, evaluated without providers."""
    secret = _secret(ssh_stack)
    config = {
        "variable": {
            name: ssh_stack["variable"][name]
            for name in ("flux_git_ssh_key", "flux_git_ssh_key_version")
        },
        "locals": ssh_stack["locals"],
        "output": {
            "secret": {"value": secret["data_wo"], "sensitive": True},
            "revision": {"value": secret["data_wo_revision"]},
        },
    }
    # The key's precondition, on the bootstrap's inputs (terraform_data) as in the stack.
    ((name, inputs),) = ssh_stack["resource"]["terraform_data"].items()
    config["resource"] = {
        "terraform_data": {name: {"input": "inputs", "lifecycle": inputs["lifecycle"]}}
    }
    (tmp_path / "main.tf.json").write_text(json.dumps(config))
    yield tmp_path


def _engine(folder: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    assert ENGINE is not None
    environ = {**os.environ, "TF_IN_AUTOMATION": "1", "TF_CLI_CONFIG_FILE": os.devnull, **env}
    return subprocess.run(
        [ENGINE, f"-chdir={folder}", *args, "-no-color"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.skipif(ENGINE is None, reason="neither terraform nor tofu is installed")
def test_the_engine_fills_exactly_the_keys_flux_reads(harness: Path) -> None:
    env = {"TF_VAR_flux_git_ssh_key": SENTINEL.private, "TF_VAR_flux_git_ssh_key_version": "4"}
    done = _engine(harness, "apply", "-auto-approve", "-input=false", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not any(line in done.stdout + done.stderr for line in key_lines())
    read = _engine(harness, "output", "-json", env={})
    outputs = json.loads(read.stdout)
    secret = outputs["secret"]["value"]
    # source-controller's SSH Secret: `identity` and `known_hosts`.
    assert sorted(secret) == ["identity", "known_hosts"]
    assert secret["identity"] == SENTINEL.private
    lines = secret["known_hosts"].splitlines()
    assert [line.split()[:2] for line in lines] == [
        ["github.com", "ssh-ed25519"],
        ["github.com", "ecdsa-sha2-nistp256"],
        ["github.com", "ssh-rsa"],
    ]
    # flux.revision 3, plus one for SSH, plus the key's version 4.
    assert outputs["revision"]["value"] == 8


@pytest.mark.skipif(ENGINE is None, reason="neither terraform nor tofu is installed")
@pytest.mark.parametrize("value", [None, "", "not a key sntl-MALFORMED-KEY-0042"])
def test_the_engine_refuses_a_missing_or_malformed_key(harness: Path, value: str | None) -> None:
    env = {} if value is None else {"TF_VAR_flux_git_ssh_key": value}
    done = _engine(harness, "plan", "-input=false", env=env)
    assert done.returncode != 0
    text = done.stdout + done.stderr
    expected = "No value for required variable" if value is None else "OpenSSH private key"
    assert expected in text, text
    # A failing variable validation would print the value; the precondition does not.
    assert "sntl-MALFORMED-KEY-0042" not in text
