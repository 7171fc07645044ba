"""Settings validation and the environment they come from in CI."""

from __future__ import annotations

from pathlib import Path

import pytest

from wildside_ops.vault import VaultConfigError, VaultSettings


def test_repr_hides_the_approle_pair() -> None:
    settings = VaultSettings("https://vault:8200", role_id="rid-123", secret_id="sid-456")
    text = repr(settings)
    assert "rid-123" not in text
    assert "sid-456" not in text
    assert "https://vault:8200" in text


def test_defaults() -> None:
    settings = VaultSettings("https://vault:8200", role_id="r", secret_id="s")
    assert (settings.kv_mount, settings.max_attempts, settings.backoff_base) == ("secret", 4, 0.5)
    assert settings.verify is True


def test_from_env(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("pem")
    settings = VaultSettings.from_env(
        {
            "VAULT_ADDR": "https://vault.example.com:8200",
            "VAULT_ROLE_ID": "r",
            "VAULT_SECRET_ID": "s",
            "VAULT_CACERT": str(ca),
            "VAULT_NAMESPACE": "infra",
            "WILDSIDE_VAULT_KV_MOUNT": "kv",
        }
    )
    assert settings.verify == str(ca)
    assert (settings.namespace, settings.kv_mount) == ("infra", "kv")


def test_from_env_names_what_is_missing() -> None:
    with pytest.raises(VaultConfigError, match="VAULT_ROLE_ID, VAULT_SECRET_ID not set"):
        VaultSettings.from_env({"VAULT_ADDR": "https://vault:8200"})


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"address": "vault:8200"}, "http:// or https://"),
        ({"secret_id": ""}, "must both be set"),
        ({"ca_bundle": Path("/nonexistent/ca.pem")}, "not a readable file"),
        ({"kv_mount": "/secret/"}, "without slashes"),
        ({"max_attempts": 0}, "at least 1"),
        ({"timeout": 0}, "timeout must be positive"),
    ],
)
def test_invalid_settings(changes: dict[str, object], problem: str) -> None:
    base: dict[str, object] = {"address": "https://vault:8200", "role_id": "r", "secret_id": "s"}
    with pytest.raises(VaultConfigError, match=problem):
        VaultSettings(**{**base, **changes})  # type: ignore[arg-type]
