"""No secret value reaches an exception message, traceback, repr or log line.

Sentinel values are planted as credentials, secret data, the kubeconfig and
the reviewer JWT; every failure mode is then provoked and its full rendering
(message, chained causes, traceback) searched for them.
"""

from __future__ import annotations

import dataclasses
import traceback
from collections.abc import Callable

import pytest

from tests.fakes.fake_vault import FakeVault, Request
from wildside_ops.vault import SecretRef, VaultClient, VaultError, VaultSettings
from wildside_ops.vault import k8s_auth as ka

ROLE = "SENTINEL-ROLE-7d1c"
SECRET = "SENTINEL-SECRET-93fa"
DO_TOKEN = "SENTINEL-DO-TOKEN-11aa"
SPACES = "SENTINEL-SPACES-2b2b"
KUBECONFIG = "apiVersion: v1\nusers:\n- token: SENTINEL-KUBE-TOKEN-3c3c\n"
JWT = "SENTINEL-JWT-4d4d"
SENTINELS = (ROLE, SECRET, DO_TOKEN, SPACES, "SENTINEL-KUBE-TOKEN-3c3c", JWT)


def rendered(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc)) + repr(exc) + str(exc)


def assert_clean(text: str) -> None:
    for sentinel in SENTINELS:
        assert sentinel not in text


@pytest.fixture
def planted() -> FakeVault:
    fake = FakeVault(role_id=ROLE, secret_id=SECRET)
    fake.put_secret("wildside/c1/digitalocean", {"token": DO_TOKEN})
    fake.put_secret("wildside/c1/spaces", {"access_key_id": SPACES, "n": 3})
    return fake


def provoke(fake: FakeVault, settings: VaultSettings) -> list[VaultError]:
    """Run the happy path once, then each failure in turn; return the errors raised."""
    vault = VaultClient.login(settings)
    vault.read_secrets({"do": SecretRef("wildside/c1/digitalocean", "token")})
    ka.ensure_kubernetes_auth(vault, "c1", "https://k8s:6443", "ca", JWT)
    vault.write_kubeconfig("c1", KUBECONFIG)

    def other_writer(request: Request) -> None:
        if request.method == "POST":
            fake.put_secret("wildside/c1/kubeconfig", {"kubeconfig": "x"})

    def forbid() -> None:
        fake.forbidden.add("secret/*")

    def seal() -> None:
        fake.sealed = True

    cases: list[tuple[Callable[[], None], Callable[[], object]]] = [
        (
            lambda: None,
            lambda: VaultClient.login(dataclasses.replace(settings, secret_id=SECRET + "x")),
        ),
        (lambda: None, lambda: vault.read_secrets({"s": SecretRef("wildside/c1/spaces", "x")})),
        (lambda: None, lambda: vault.read_secrets({"s": SecretRef("wildside/c1/spaces", "n")})),
        (lambda: None, lambda: vault.read_kv("wildside/c1/absent")),
        (forbid, lambda: vault.read_kv("wildside/c1/digitalocean")),
        (lambda: fake.fail_next(9, 502), lambda: vault.read_kv("x")),
        (
            lambda: fake.hooks.append(other_writer),
            lambda: vault.write_kubeconfig("c1", KUBECONFIG + "changed"),
        ),
        (seal, lambda: vault.read_kv("x")),
    ]
    errors: list[VaultError] = []
    for setup, action in cases:
        setup()
        with pytest.raises(VaultError) as caught:
            action()
        errors.append(caught.value)
        fake.forbidden.clear()
        fake.hooks.clear()
        fake.clear_failures()
    vault.close()
    return errors


def test_no_secret_in_any_error(planted: FakeVault, capsys: pytest.CaptureFixture[str]) -> None:
    with planted.running() as fake:
        settings = VaultSettings(address=fake.url, role_id=ROLE, secret_id=SECRET, backoff_base=0)
        assert_clean(repr(settings))
        errors = provoke(fake, settings)
    kinds = {type(e).__name__ for e in errors}
    assert kinds == {
        "VaultLoginDenied",
        "VaultKeyMissing",
        "VaultValueInvalid",
        "VaultPathMissing",
        "VaultPermissionDenied",
        "VaultUnavailable",
        "VaultCasConflict",
        "VaultSealed",
    }
    for error in errors:
        assert_clean(rendered(error))
    captured = capsys.readouterr()
    assert_clean(captured.out + captured.err)


def test_vault_echoing_a_secret_is_redacted(planted: FakeVault) -> None:
    planted.secret_id = "what Vault expects"
    planted.login_error = f"secret_id {SECRET} is not valid for role {ROLE}"
    with planted.running() as fake:
        settings = VaultSettings(address=fake.url, role_id=ROLE, secret_id=SECRET, backoff_base=0)
        with pytest.raises(VaultError) as caught:
            VaultClient.login(settings)
    text = rendered(caught.value)
    assert_clean(text)
    assert "secret_id <redacted> is not valid for role <redacted>" in text


def test_unreachable_error_is_clean(closed_port: int) -> None:
    settings = VaultSettings(
        address=f"http://127.0.0.1:{closed_port}",
        role_id=ROLE,
        secret_id=SECRET,
        max_attempts=1,
    )
    with pytest.raises(VaultError) as caught:
        VaultClient.login(settings)
    assert_clean(rendered(caught.value))
