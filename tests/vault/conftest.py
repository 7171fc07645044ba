"""Fixtures: a fake Vault on loopback and a client logged in to it."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from tests.fakes.fake_vault import ROLE_ID, SECRET_ID, FakeVault
from wildside_ops.vault import VaultClient, VaultSettings
from wildside_ops.vault.masking import reset_mask_registry


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No runner or Vault variables leak in, and masking starts afresh."""
    for name in (
        "GITHUB_ACTIONS",
        "GITHUB_ENV",
        "GITHUB_OUTPUT",
        "VAULT_TOKEN",
        "VAULT_ADDR",
        "VAULT_CACERT",
        "VAULT_NAMESPACE",
    ):
        monkeypatch.delenv(name, raising=False)
    reset_mask_registry()
    yield
    reset_mask_registry()


@pytest.fixture
def fake_vault() -> Iterator[FakeVault]:
    with FakeVault().running() as fake:
        yield fake


@pytest.fixture
def settings(fake_vault: FakeVault) -> VaultSettings:
    return VaultSettings(
        address=fake_vault.url,
        role_id=ROLE_ID,
        secret_id=SECRET_ID,
        timeout=5,
        backoff_base=0,
    )


@pytest.fixture
def vault(settings: VaultSettings) -> Iterator[VaultClient]:
    with VaultClient.login(settings) as client:
        yield client


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
