"""State recovery: ``wildside deploy`` checks bucket versioning; a restore really works.

Against moto's S3 API on loopback. The restore follows docs/state.md step by
step with the real engine on a provider-free stack whose backend block comes
from the same code as cluster-stack's.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli import main
from tests.cluster.conftest import TEST_DIGEST
from tests.cluster.moto_s3 import CREDENTIALS, S3, s3_server
from tests.support import example_with

ENGINE = shutil.which("tofu") or shutil.which("terraform")
FAKE_ENGINE = '#!/bin/sh\necho "$*" >> "$FAKE_LOG"\nexit 0\n'


@pytest.fixture(scope="module")
def s3() -> Iterator[S3]:
    with s3_server() as server:
        yield server


def _bucket(s3: S3, name: str, *, versioned: bool) -> str:
    s3.client.create_bucket(Bucket=name)
    if versioned:
        s3.client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return name


def _deploy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, s3: S3, bucket: str, *extra: str
) -> tuple[int, list[str]]:
    """``wildside deploy --skip-synth`` on a stack whose backend is ``bucket``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    engine = bin_dir / "tofu"
    engine.write_text(FAKE_ENGINE)
    engine.chmod(engine.stat().st_mode | stat.S_IXUSR)
    stack = tmp_path / "out" / "stacks" / "cluster-stack"
    stack.mkdir(parents=True)
    backend = {
        "bucket": bucket,
        "key": "clusters/dev/cluster-stack.tfstate",
        "region": "us-east-1",
        "endpoints": {"s3": s3.endpoint},
        "use_path_style": True,
    }
    (stack / "cdk.tf.json").write_text(json.dumps({"terraform": {"backend": {"s3": backend}}}))
    log = tmp_path / "argv.log"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin")
    monkeypatch.setenv("FAKE_LOG", str(log))
    monkeypatch.delenv("TERRAFORM_BINARY_NAME", raising=False)
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    code = main(["deploy", "--skip-synth", "--outdir", str(tmp_path / "out"), *extra])
    calls = log.read_text().splitlines() if log.exists() else []
    return code, [call.split()[1] for call in calls]


def test_ci_mode_refuses_a_bucket_without_versioning(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    s3: S3,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bucket = _bucket(s3, "unversioned-ci", versioned=False)
    monkeypatch.setenv("CI", "true")
    code, commands = _deploy(tmp_path, monkeypatch, s3, bucket)
    assert code == 1
    assert commands == []  # refused before the engine ran
    error = capsys.readouterr().err
    assert "'unversioned-ci': versioning is not enabled" in error
    assert "Refusing to deploy in CI mode" in error
    assert "put-bucket-versioning --bucket unversioned-ci" in error


def test_the_flag_refuses_outside_ci_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, s3: S3
) -> None:
    bucket = _bucket(s3, "unversioned-flag", versioned=False)
    monkeypatch.delenv("CI", raising=False)
    code, commands = _deploy(tmp_path, monkeypatch, s3, bucket, "--require-versioning")
    assert (code, commands) == (1, [])


def test_outside_ci_a_bucket_without_versioning_is_a_warning(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    s3: S3,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bucket = _bucket(s3, "unversioned-local", versioned=False)
    monkeypatch.delenv("CI", raising=False)
    code, commands = _deploy(tmp_path, monkeypatch, s3, bucket)
    assert code == 0
    assert commands == ["init", "plan"]
    assert "warning: state bucket 'unversioned-local'" in capsys.readouterr().err


def test_a_versioned_bucket_passes_in_ci_mode(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    s3: S3,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bucket = _bucket(s3, "versioned-ci", versioned=True)
    monkeypatch.setenv("CI", "true")
    code, commands = _deploy(tmp_path, monkeypatch, s3, bucket)
    assert (code, commands) == (0, ["init", "plan"])
    error = capsys.readouterr().err
    assert "'versioned-ci': versioning is enabled" in error
    assert "warning" not in error


def _release_stack(tmp: Path, endpoint: str, bucket: str, release: str) -> Path:
    """A provider-free cluster-stack (the real backend block) with one output."""
    from cdktf import App, TerraformOutput, TerraformStack

    from app.stack_settings import cluster_stack_settings
    from stacks.state import configure_state

    config = example_with(
        {
            "flux": {"cli_digest": TEST_DIGEST},
            "state": {
                "backend": "s3",
                "bucket": bucket,
                "endpoint": endpoint,
                "use_path_style": True,
                "encryption": False,
                "allow_unencrypted": True,
            },
        }
    )
    settings = cluster_stack_settings(config, {"TERRAFORM_BINARY_NAME": ENGINE or ""})
    assert settings.state is not None
    app = App(outdir=str(tmp))
    stack = TerraformStack(app, "cluster-stack")
    configure_state(stack, "cluster-stack", settings.state)
    TerraformOutput(stack, "release", value=release)
    app.synth()
    return tmp / "stacks" / "cluster-stack"


def _engine(stack_dir: Path, *args: str) -> str:
    assert ENGINE is not None
    env = {**os.environ, **CREDENTIALS, "TF_IN_AUTOMATION": "1", "TF_CLI_CONFIG_FILE": os.devnull}
    done = subprocess.run(
        [ENGINE, f"-chdir={stack_dir}", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.skipif(ENGINE is None, reason="neither tofu nor terraform is installed")
def test_restoring_the_previous_state_version_as_documented(tmp_path: Path, s3: S3) -> None:
    bucket = _bucket(s3, "recovery", versioned=True)
    for release in ("one", "two"):
        stack_dir = _release_stack(tmp_path / release, s3.endpoint, bucket, release)
        _engine(stack_dir, "init", "-input=false", "-no-color", "-reconfigure")
        _engine(stack_dir, "apply", "-auto-approve", "-input=false", "-no-color")
    assert _engine(stack_dir, "output", "-raw", "release") == "two"
    key = "clusters/dev/cluster-stack.tfstate"

    def versions() -> list[dict[str, object]]:
        # S3 lists a key's versions newest first; the prefix also matches the lock file.
        listed = s3.client.list_object_versions(Bucket=bucket, Prefix=key)["Versions"]
        return [version for version in listed if version["Key"] == key]

    # Step 1 of docs/state.md: list the state object's versions, newest first.
    assert len(versions()) == 2 and versions()[0]["IsLatest"]
    previous = versions()[1]["VersionId"]
    # Step 2: copy that version over the current object (a new version; nothing is lost).
    s3.client.copy_object(
        Bucket=bucket, Key=key, CopySource={"Bucket": bucket, "Key": key, "VersionId": previous}
    )
    # Step 3: the engine now reads the earlier state.
    assert _engine(stack_dir, "output", "-raw", "release") == "one"
    restored = json.loads(s3.read(bucket, key))
    assert restored["outputs"]["release"]["value"] == "one"
    assert len(versions()) == 3
    shutil.rmtree(tmp_path / "one")
