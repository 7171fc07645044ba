"""Remote state with the real engine against an S3 API served on loopback by moto.

Provider plugins cannot be downloaded here, so each test applies a
provider-free stack whose backend block comes from the same code, settings
and mapping as cluster-stack's (and is checked to be identical to it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.cluster.conftest import TEST_DIGEST, synth_stack
from tests.cluster.moto_s3 import CREDENTIALS, s3_server
from tests.support import example_with

ENGINE = shutil.which("tofu") or shutil.which("terraform")
pytestmark = pytest.mark.skipif(ENGINE is None, reason="neither tofu nor terraform is installed")
BUCKET = "wildside-tofu-state"


@dataclass
class S3:
    endpoint: str
    client: Any

    def objects(self) -> set[str]:
        listed = self.client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
        return {item["Key"] for item in listed}

    def read(self, key: str) -> bytes:
        body: bytes = self.client.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        return body


@pytest.fixture(scope="module")
def s3() -> Iterator[S3]:
    with s3_server() as server:
        server.client.create_bucket(Bucket=BUCKET)
        yield S3(server.endpoint, server.client)


def _config(cluster: str, endpoint: str, **state: object) -> Any:
    return example_with(
        {
            "cluster": {"name": cluster},
            "flux": {"cli_digest": TEST_DIGEST},
            "state": {
                "backend": "s3",
                "bucket": BUCKET,
                "endpoint": endpoint,
                "use_path_style": True,
                # Terraform cannot encrypt: plain-text state, acknowledged.
                "encryption": False,
                "allow_unencrypted": True,
                **state,
            },
        }
    )


def _stack_dir(tmp: Path, config: Any) -> Path:
    """A provider-free cluster-stack: the real backend block, one output."""
    from cdktf import App, TerraformOutput, TerraformStack

    from app.stack_settings import cluster_stack_settings
    from stacks.state import configure_state

    settings = cluster_stack_settings(config, {"TERRAFORM_BINARY_NAME": ENGINE or ""})
    assert settings.state is not None
    app = App(outdir=str(tmp))
    stack = TerraformStack(app, "cluster-stack")
    configure_state(stack, "cluster-stack", settings.state)
    TerraformOutput(stack, "cluster", value=config.cluster.name)
    app.synth()
    return tmp / "stacks" / "cluster-stack"


def _engine(stack_dir: Path, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    assert ENGINE is not None
    env = {
        **os.environ,
        **CREDENTIALS,
        "TF_IN_AUTOMATION": "1",
        "TF_CLI_CONFIG_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        **extra_env,
    }
    return subprocess.run(
        [ENGINE, f"-chdir={stack_dir}", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _apply(stack_dir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return _engine(stack_dir, "apply", "-auto-approve", "-input=false", "-no-color", *extra)


def test_backend_block_is_the_one_cluster_stack_synthesises(s3: S3, tmp_path: Path) -> None:
    config = _config("alpha", s3.endpoint)
    provider_free = json.loads((_stack_dir(tmp_path, config) / "cdk.tf.json").read_text())
    assert provider_free["terraform"]["backend"] == synth_stack(config)["terraform"]["backend"]


def test_state_lands_under_a_key_per_cluster(s3: S3, tmp_path: Path) -> None:
    for cluster in ("alpha", "beta"):
        stack_dir = _stack_dir(tmp_path / cluster, _config(cluster, s3.endpoint))
        _ok(_engine(stack_dir, "init", "-input=false", "-no-color"))
        _ok(_apply(stack_dir))
    keys = s3.objects()
    assert {"clusters/alpha/cluster-stack.tfstate", "clusters/beta/cluster-stack.tfstate"} <= keys
    # Two clusters never share a key, and each state holds its own cluster.
    for cluster in ("alpha", "beta"):
        state = json.loads(s3.read(f"clusters/{cluster}/cluster-stack.tfstate"))
        assert state["outputs"]["cluster"]["value"] == cluster
    assert not [key for key in keys if key.endswith(".tflock")]


def test_a_concurrent_run_is_blocked_by_the_lock_file(s3: S3, tmp_path: Path) -> None:
    assert ENGINE is not None
    stack_dir = _stack_dir(tmp_path, _config("gamma", s3.endpoint))
    _ok(_engine(stack_dir, "init", "-input=false", "-no-color"))
    _ok(_apply(stack_dir))
    lock = "clusters/gamma/cluster-stack.tfstate.tflock"
    env = {**os.environ, **CREDENTIALS, "TF_CLI_CONFIG_FILE": os.devnull}
    # `console` holds the state lock for as long as its input stays open.
    holder = subprocess.Popen(
        [ENGINE, f"-chdir={stack_dir}", "console"],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while lock not in s3.objects():
            assert time.monotonic() < deadline, "the first run never took the lock"
            assert holder.poll() is None, "the lock holder exited early"
            time.sleep(0.05)
        blocked = _apply(stack_dir, "-lock-timeout=0s")
        assert blocked.returncode != 0
        assert "Error acquiring the state lock" in blocked.stderr + blocked.stdout
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
    assert lock not in s3.objects()
    _ok(_apply(stack_dir, "-lock-timeout=0s"))
    outputs = json.loads(_ok(_engine(stack_dir, "output", "-json")))
    assert outputs["cluster"]["value"] == "gamma"


@pytest.mark.skipif(
    ENGINE is None or not Path(ENGINE).name.startswith("tofu"),
    reason="state encryption is an OpenTofu feature and tofu is not installed here",
)
def test_encrypted_state_is_unreadable_without_the_passphrase(s3: S3, tmp_path: Path) -> None:
    stack_dir = _stack_dir(tmp_path, _config("delta", s3.endpoint, encryption=True))
    passphrase = {"TF_VAR_state_passphrase": "correct horse battery staple"}
    _ok(_engine(stack_dir, "init", "-input=false", "-no-color", **passphrase))
    _ok(_apply(stack_dir, **passphrase))
    stored = s3.read("clusters/delta/cluster-stack.tfstate")
    assert b'"delta"' not in stored
    assert json.loads(stored).get("encrypted_data")
    wrong = _engine(stack_dir, "output", "-json", TF_VAR_state_passphrase="x" * 20)
    assert wrong.returncode != 0
    outputs = json.loads(_ok(_engine(stack_dir, "output", "-json", **passphrase)))
    assert outputs["cluster"]["value"] == "delta"
