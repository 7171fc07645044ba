"""KubeSecrets against a Kubernetes API server subset on loopback, over TLS."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.fakes.fake_kube import FakeKube, kubeconfig, serving
from wildside_ops.kube import KubeError, KubeSecrets
from wildside_ops.vault.masking import reset_mask_registry

TOKEN = "sntl-kube-admin-token-1a2b"
VALUE = "sntl-secret-value-3c4d"


@pytest.fixture(autouse=True)
def _fresh_masks() -> Iterator[None]:
    reset_mask_registry()
    yield
    reset_mask_registry()


@pytest.fixture
def api(tmp_path: Path) -> Iterator[tuple[FakeKube, str]]:
    with serving(tmp_path, TOKEN) as pair:
        yield pair


def test_write_creates_the_namespace_and_the_secret_by_server_side_apply(
    api: tuple[FakeKube, str],
) -> None:
    kube, config = api
    with KubeSecrets(config) as secrets:
        assert secrets.read("external-secrets", "vault-approle") is None
        secrets.write("external-secrets", "vault-approle", {"secret_id": VALUE, "role_id": "r-1"})
        assert secrets.read("external-secrets", "vault-approle") == {
            "secret_id": VALUE,
            "role_id": "r-1",
        }
    assert "external-secrets" in kube.namespaces
    stored = kube.secrets[("external-secrets", "vault-approle")]
    assert stored["type"] == "Opaque"
    # Flux prunes only what carries its own labels: this Secret must not.
    labels = stored["metadata"]["labels"]
    assert labels == {"app.kubernetes.io/managed-by": "wildside-infra-k8s"}
    patches = kube.writes()
    assert [r.path for r in patches] == [
        "/api/v1/namespaces/external-secrets",
        "/api/v1/namespaces/external-secrets/secrets/vault-approle",
    ]
    for request in patches:
        assert request.content_type == "application/apply-patch+yaml"
        assert request.query == {"fieldManager": "wildside-infra-k8s", "force": "true"}


def test_a_second_apply_holds_exactly_the_new_keys(api: tuple[FakeKube, str]) -> None:
    kube, config = api
    with KubeSecrets(config) as secrets:
        secrets.write("ns", "pair", {"a": "first-value", "b": "second-value"})
        secrets.write("ns", "pair", {"a": "third-value"})
    assert kube.secret_data("ns", "pair") == {"a": "third-value"}


def test_apply_merges_with_keys_another_manager_owns(api: tuple[FakeKube, str]) -> None:
    kube, config = api
    with KubeSecrets(config) as secrets:
        secrets.write("ns", "pair", {"a": "first-value", "b": "second-value"})
        kube.patch_secret("ns", "pair", {"note": "by-hand"}, "kubectl-edit")
        # Reads report our keys only; the other manager's key is no drift.
        assert secrets.read("ns", "pair") == {"a": "first-value", "b": "second-value"}
        secrets.write("ns", "pair", {"a": "third-value"})
    # "b" was ours alone and is gone; "note" belongs to kubectl-edit and stays.
    assert kube.secret_data("ns", "pair") == {"a": "third-value", "note": "by-hand"}


def test_apply_without_force_conflicts_over_a_changed_key(api: tuple[FakeKube, str]) -> None:
    kube, config = api
    with KubeSecrets(config) as secrets:
        secrets.write("ns", "pair", {"a": "first-value"})
    kube.patch_secret("ns", "pair", {"a": "changed-by-hand"}, "kubectl-edit")
    body = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "pair"},
        "data": {"a": base64.b64encode(b"first-value").decode()},
    }
    url = "/api/v1/namespaces/ns/secrets/pair?fieldManager=wildside-infra-k8s"
    headers = {"authorization": f"Bearer {TOKEN}", "content-type": "application/apply-patch+yaml"}
    status, reply = kube.handle("PATCH", url, headers, yaml.safe_dump(body).encode())
    assert (status, reply["reason"]) == (409, "Conflict")
    assert reply["details"]["causes"] == [
        {
            "reason": "FieldManagerConflict",
            "message": 'conflict with "kubectl-edit"',
            "field": ".data.a",
        }
    ]
    # With force (as KubeSecrets always sends it), the applier takes the key back.
    status, _ = kube.handle("PATCH", url + "&force=true", headers, yaml.safe_dump(body).encode())
    assert status == 200
    assert kube.secret_data("ns", "pair") == {"a": "first-value"}
    assert kube.managers("ns", "pair") == {"wildside-infra-k8s": {"a"}}


def test_a_missing_namespace_reads_as_no_secret(api: tuple[FakeKube, str]) -> None:
    _, config = api
    with KubeSecrets(config) as secrets:
        assert secrets.read("nowhere", "pair") is None


def test_refused_credentials_are_explained_without_the_token(tmp_path: Path) -> None:
    with serving(tmp_path, TOKEN) as (kube, config):
        wrong = config.replace(TOKEN, "sntl-wrong-token-5e6f")
        with KubeSecrets(wrong) as secrets, pytest.raises(KubeError) as caught:
            secrets.read("ns", "pair")
    message = str(caught.value)
    assert "HTTP 401" in message
    assert "credentials were not accepted" in message
    assert kube.url in message
    assert "sntl-" not in message


def test_transient_failures_are_retried_with_backoff(
    api: tuple[FakeKube, str], capsys: pytest.CaptureFixture[str]
) -> None:
    kube, config = api
    kube.fail_next(2, 503)
    delays: list[float] = []
    with KubeSecrets(config, sleep=delays.append) as secrets:
        secrets.write("ns", "pair", {"a": VALUE})
    assert delays == [2.0, 4.0]
    assert kube.secret_data("ns", "pair") == {"a": VALUE}
    assert "HTTP 503 on apply Namespace ns; retrying" in capsys.readouterr().err


def test_retries_are_bounded(api: tuple[FakeKube, str]) -> None:
    kube, config = api
    kube.fail_next(10, 503)
    delays: list[float] = []
    with (
        KubeSecrets(config, attempts=3, sleep=delays.append) as secrets,
        pytest.raises(KubeError, match="HTTP 503"),
    ):
        secrets.read("ns", "pair")
    assert len(delays) == 2


def test_a_refusal_is_not_retried(api: tuple[FakeKube, str]) -> None:
    kube, config = api
    kube.fail_next(1, 403)
    delays: list[float] = []
    with (
        KubeSecrets(config, sleep=delays.append) as secrets,
        pytest.raises(KubeError, match="HTTP 403") as caught,
    ):
        secrets.write("ns", "pair", {"a": VALUE})
    assert delays == []
    assert "cluster-admin" in str(caught.value)
    assert ("ns", "pair") not in kube.secrets


def test_an_untrusted_certificate_is_a_tls_error(tmp_path: Path) -> None:
    with serving(tmp_path / "real", TOKEN) as (kube, _):
        from tests.fakes.tls import self_signed

        other, _key = self_signed(tmp_path / "other", "other-ca")
        config = kubeconfig(kube.url, other.read_text(), TOKEN)
        with (
            KubeSecrets(config, sleep=lambda _: None) as secrets,
            pytest.raises(KubeError, match="TLS with the cluster's API") as caught,
        ):
            secrets.read("ns", "pair")
    assert "certificate-authority-data" in str(caught.value)
    assert kube.log == []


def test_an_unreachable_server_is_reported_after_the_retries(tmp_path: Path) -> None:
    with serving(tmp_path, TOKEN) as (kube, config):
        url = kube.url
    # The server is gone; its port refuses connections.
    delays: list[float] = []
    with (
        KubeSecrets(config, attempts=2, sleep=delays.append) as secrets,
        pytest.raises(KubeError, match="cannot reach the cluster's API") as caught,
    ):
        secrets.read("ns", "pair")
    assert url in str(caught.value)
    assert len(delays) == 1


def test_a_kubeconfig_that_cannot_be_used_is_refused_without_quoting_it() -> None:
    broken = yaml.safe_dump({"apiVersion": "v1", "users": [{"user": {"token": TOKEN}}]})
    with pytest.raises(KubeError, match="kubeconfig output cannot be used") as caught:
        KubeSecrets(broken)
    assert TOKEN not in str(caught.value)


def test_written_values_are_masked_in_both_forms(
    api: tuple[FakeKube, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, config = api
    with KubeSecrets(config) as secrets:
        secrets.write("ns", "pair", {"a": VALUE})
    out = capsys.readouterr().out
    assert f"::add-mask::{VALUE}" in out
    assert f"::add-mask::{base64.b64encode(VALUE.encode()).decode()}" in out
