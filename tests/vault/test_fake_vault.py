"""The fake itself: it stops with its block and guards its API like Vault."""

from __future__ import annotations

import dataclasses
import threading
import time

import requests

from tests.fakes.fake_vault import FakeVault, Request
from wildside_ops.vault import VaultClient, VaultSettings


def test_server_thread_stops_with_the_block() -> None:
    with FakeVault().running() as fake:
        assert requests.get(f"{fake.url}/v1/sys/health", timeout=5).json()["sealed"] is False
    assert not [t for t in threading.enumerate() if t.name == "fake-vault"]


def test_requests_need_a_token(fake_vault: FakeVault) -> None:
    response = requests.get(f"{fake_vault.url}/v1/secret/data/x", timeout=5)
    assert response.status_code == 403
    assert response.json() == {"errors": ["permission denied"]}


def test_a_timed_out_request_is_retried(fake_vault: FakeVault, settings: VaultSettings) -> None:
    fake_vault.put_secret("slow", {"k": "v"})

    def stall_once(request: Request) -> None:
        if request.path == "secret/data/slow" and len(fake_vault.requests(path=request.path)) == 1:
            time.sleep(0.6)

    fake_vault.hooks.append(stall_once)
    with VaultClient.login(dataclasses.replace(settings, timeout=0.2)) as vault:
        assert vault.read_kv("slow").data == {"k": "v"}
    assert len(fake_vault.requests("GET", "secret/data/slow")) == 2
