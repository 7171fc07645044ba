"""Remote state is encrypted unless explicitly, and knowingly, turned off."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import EXIT_BAD_INPUT, main
from app.config.errors import ConfigError
from tests.cluster.conftest import TEST_DIGEST, synth_stack
from tests.support import example_with
from wildside_constructs.registry import COMPONENTS

S3 = {
    "backend": "s3",
    "bucket": "wildside-tofu-state",
    "endpoint": "https://ams3.digitaloceanspaces.com",
}
FLUX = {"cli_digest": TEST_DIGEST}
PASSPHRASE = {"TF_VAR_state_passphrase": "correct horse battery staple"}


def test_remote_state_is_encrypted_by_default() -> None:
    stack = synth_stack(example_with({"state": S3, "flux": FLUX}), PASSPHRASE)
    encryption = stack["terraform"]["encryption"]
    assert encryption["state"]["enforced"] is True
    assert encryption["plan"]["enforced"] is True
    assert stack["variable"]["state_passphrase"]["sensitive"] is True


def test_local_state_stays_unencrypted_by_default() -> None:
    stack = synth_stack(example_with({}))
    assert "encryption" not in stack["terraform"]


def test_turning_encryption_off_for_remote_state_needs_the_acknowledgement() -> None:
    with pytest.raises(ConfigError) as caught:
        example_with({"state": {**S3, "encryption": False}, "flux": FLUX})
    assert "state.encryption" in str(caught.value)
    assert "state.allow_unencrypted = true" in str(caught.value)
    acknowledged = {**S3, "encryption": False, "allow_unencrypted": True}
    stack = synth_stack(example_with({"state": acknowledged, "flux": FLUX}))
    assert "encryption" not in stack["terraform"]


def _cli_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "WILDSIDE_STATE_BACKEND": "s3",
        "WILDSIDE_STATE_BUCKET": "wildside-tofu-state",
        "WILDSIDE_FLUX_CLI_DIGEST": TEST_DIGEST,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("TF_VAR_state_passphrase", raising=False)
    monkeypatch.delenv("TERRAFORM_BINARY_NAME", raising=False)
    for spec in COMPONENTS:
        monkeypatch.setenv(spec.env, "false")


def test_synth_refuses_remote_state_without_a_passphrase(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _cli_env(monkeypatch)
    outdir = tmp_path / "out"
    code = main(["synth", "--no-publish", "--outdir", str(outdir)])
    assert code == EXIT_BAD_INPUT
    error = capsys.readouterr().err
    assert "TF_VAR_state_passphrase: is not set" in error
    assert "Traceback" not in error
    assert not [path for path in outdir.rglob("*") if path.is_file()]


def test_synth_refuses_a_short_passphrase_without_showing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _cli_env(monkeypatch)
    monkeypatch.setenv("TF_VAR_state_passphrase", "sntl-short-pw")
    outdir = tmp_path / "out"
    code = main(["synth", "--no-publish", "--outdir", str(outdir)])
    assert code == EXIT_BAD_INPUT
    out, error = capsys.readouterr()
    assert "TF_VAR_state_passphrase: is shorter than 16 characters" in error
    assert "sntl-short-pw" not in out + error
    assert not [path for path in outdir.rglob("*") if path.is_file()]


def test_synth_refuses_plain_remote_state_without_the_acknowledgement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _cli_env(monkeypatch)
    monkeypatch.setenv("WILDSIDE_STATE_ENCRYPTION", "false")
    outdir = tmp_path / "out"
    code = main(["synth", "--no-publish", "--outdir", str(outdir)])
    assert code == EXIT_BAD_INPUT
    error = capsys.readouterr().err
    assert "state.encryption: is false for remote state" in error
    assert not outdir.exists() or not [p for p in outdir.rglob("*") if p.is_file()]


def test_a_malformed_digest_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        example_with({"flux": {"cli_digest": "sha256:abc"}})
    assert "flux.cli_digest" in str(caught.value)
    with pytest.raises(ConfigError) as missing:
        example_with({"state": S3})
    assert "flux.cli_digest: is required" in str(missing.value)
