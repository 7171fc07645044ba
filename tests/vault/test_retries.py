"""Transient failures are retried a bounded number of times; refusals never."""

from __future__ import annotations

import dataclasses

import pytest

from tests.fakes.fake_vault import FakeVault, Request
from wildside_ops.vault import (
    VaultClient,
    VaultLoginDenied,
    VaultPathMissing,
    VaultPermissionDenied,
    VaultSettings,
    VaultUnavailable,
    VaultUnreachable,
)

PATH = "wildside/c1/digitalocean"
API = f"secret/data/{PATH}"


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
def test_succeeds_after_two_transient_failures(
    fake_vault: FakeVault, vault: VaultClient, status: int
) -> None:
    fake_vault.put_secret(PATH, {"token": "t"})
    fake_vault.fail_next(2, status)
    assert vault.read_kv(PATH).data == {"token": "t"}
    assert len(fake_vault.requests("GET", API)) == 3


def test_gives_up_after_max_attempts(fake_vault: FakeVault, vault: VaultClient) -> None:
    fake_vault.fail_next(10, 502)
    with pytest.raises(VaultUnavailable) as caught:
        vault.read_kv(PATH)
    assert caught.value.attempts == vault.settings.max_attempts == 4
    assert caught.value.status == 502
    assert "after 4 attempt(s)" in str(caught.value)
    assert len(fake_vault.requests("GET", API)) == 4


def test_login_is_retried_too(fake_vault: FakeVault, settings: VaultSettings) -> None:
    fake_vault.fail_next(2, 503)
    with VaultClient.login(settings):
        pass
    assert len(fake_vault.requests("POST", "auth/approle/login")) == 3


def test_writes_are_retried(fake_vault: FakeVault, vault: VaultClient) -> None:
    kubeconfig = "secret/data/wildside/c1/kubeconfig"
    fake_vault.put_secret("wildside/c1/kubeconfig", {"kubeconfig": "old"})

    def fail_the_first_write(request: Request) -> None:
        first = len(fake_vault.requests("POST", kubeconfig)) == 1
        if request.method == "POST" and request.path == kubeconfig and first:
            fake_vault.fail_next(1, 502)

    fake_vault.hooks.append(fail_the_first_write)
    assert vault.write_kubeconfig("c1", "new") is True
    assert len(fake_vault.requests("POST", kubeconfig)) == 2
    assert fake_vault.versions("wildside/c1/kubeconfig") == 2
    assert fake_vault.latest("wildside/c1/kubeconfig") == {"kubeconfig": "new"}


def test_no_retry_on_permission_denied(fake_vault: FakeVault, vault: VaultClient) -> None:
    fake_vault.forbidden.add(API)
    with pytest.raises(VaultPermissionDenied):
        vault.read_kv(PATH)
    assert len(fake_vault.requests("GET", API)) == 1


def test_no_retry_on_missing_path(fake_vault: FakeVault, vault: VaultClient) -> None:
    with pytest.raises(VaultPathMissing):
        vault.read_kv(PATH)
    assert len(fake_vault.requests("GET", API)) == 1


def test_no_retry_on_login_denied(fake_vault: FakeVault, settings: VaultSettings) -> None:
    with pytest.raises(VaultLoginDenied):
        VaultClient.login(dataclasses.replace(settings, role_id="wrong"))
    assert len(fake_vault.requests("POST", "auth/approle/login")) == 1


def test_unreachable_backs_off_exponentially(closed_port: int) -> None:
    delays: list[float] = []
    settings = VaultSettings(
        address=f"http://127.0.0.1:{closed_port}",
        role_id="r",
        secret_id="s",
        max_attempts=4,
        backoff_base=0.5,
    )
    with pytest.raises(VaultUnreachable) as caught:
        VaultClient.login(settings, sleep=delays.append)
    assert caught.value.attempts == 4
    assert len(delays) == 3, "no sleep after the last attempt"
    for attempt, delay in enumerate(delays):
        ceiling = 0.5 * 2**attempt
        assert ceiling / 2 <= delay <= ceiling


def test_backoff_is_capped(closed_port: int) -> None:
    delays: list[float] = []
    settings = VaultSettings(
        address=f"http://127.0.0.1:{closed_port}",
        role_id="r",
        secret_id="s",
        max_attempts=6,
        backoff_base=1,
        backoff_cap=2,
    )
    with pytest.raises(VaultUnreachable):
        VaultClient.login(settings, sleep=delays.append)
    assert max(delays) <= 2
