"""Every credential of a kubeconfig is registered with the runner's masker, line by line."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import yaml

from wildside_ops.action.cluster_outputs import mask_kubeconfig
from wildside_ops.vault.masking import mask, reset_mask_registry

PEM = "\n".join(
    (
        "-----BEGIN PRIVATE KEY-----",
        "MIIEvQIBADANBgkqhkiG9w0B",
        "AQEFAASCBKcw",
        "-----END PRIVATE KEY-----",
    )
)
OIDC = "oidc-id-token-xyz"
CREDENTIALS = {
    "token": "doks-token-abc123",
    "password": "hunter2-password",
    "client-key-data": "Y2xpZW50LWtleQ==",
    "client-certificate-data": "Y2xpZW50LWNlcnQ=",
}
KUBECONFIG = {
    "apiVersion": "v1",
    "kind": "Config",
    "clusters": [
        {"name": "doks", "cluster": {"server": "https://k8s.example", "insecure": False}}
    ],
    "users": [
        {"name": "admin", "user": dict(CREDENTIALS)},
        {
            "name": "oidc",
            "user": {"auth-provider": {"name": "oidc", "config": {"id-token": OIDC}}},
        },
        {
            "name": "exec",
            "user": {"exec": {"command": "doctl", "env": [{"name": "KEY", "value": PEM}]}},
        },
    ],
}  # fmt: skip


@pytest.fixture(autouse=True)
def fresh_registry() -> Iterator[None]:
    reset_mask_registry()
    yield
    reset_mask_registry()


def _masked(output: str) -> set[str]:
    prefix = "::add-mask::"
    return {line[len(prefix) :] for line in output.splitlines() if line.startswith(prefix)}


def test_every_kubeconfig_credential_is_masked(capsys: pytest.CaptureFixture[str]) -> None:
    mask_kubeconfig(yaml.safe_dump(KUBECONFIG))
    masked = _masked(capsys.readouterr().out)
    for value in (*CREDENTIALS.values(), "oidc-id-token-xyz"):
        assert value in masked
    # A multi-line secret is registered line by line: the runner masks whole lines only.
    for line in PEM.splitlines():
        assert line in masked
    # Structure stays readable in later logs.
    assert not masked & {"v1", "Config", "https://k8s.example", "doks", "admin", "doctl"}


def test_each_line_of_a_multi_line_secret_is_masked(capsys: pytest.CaptureFixture[str]) -> None:
    mask(PEM)
    assert _masked(capsys.readouterr().out) == set(PEM.splitlines())
