"""Bad input exits 2 before any request; runtime failures exit 1 and leave a state
the next run can finish."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.vault.bootstrap_support import World, world
from wildside_ops.vault.bootstrap import run_bootstrap


@pytest.fixture
def w() -> Iterator[World]:
    with world() as made:
        yield made


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"key_shares": 3, "key_threshold": 4}, "key_threshold"),
        ({"key_shares": 0, "key_threshold": 0}, "key_shares"),
        ({"recipients": ()}, "recipients"),
        ({"recipients": ("age1notakey",)}, "recipients[0]"),
    ],
)
def test_bad_settings_exit_2_before_any_request(
    w: World,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    changes: dict[str, object],
    field: str,
) -> None:
    code = run_bootstrap(w.with_bootstrap(**changes), w.env(), check=False, root=tmp_path)
    assert code == 2
    assert f"vault_appliance.bootstrap.{field}" in capsys.readouterr().err
    assert w.fake.log == [] and not w.ops.initialized
    assert list(tmp_path.iterdir()) == []


def test_missing_table_is_bad_input(tmp_path: Path) -> None:
    assert run_bootstrap(None, {}, check=False, root=tmp_path) == 2


def test_existing_keys_file_is_never_overwritten(w: World, tmp_path: Path) -> None:
    keys = tmp_path / "keys" / "vault-init.age"
    keys.parent.mkdir()
    keys.write_bytes(b"another vault's keys")
    assert run_bootstrap(w.appliance, w.env(), check=False, root=tmp_path) == 2
    assert keys.read_bytes() == b"another vault's keys"
    assert not w.ops.initialized


def test_sealed_with_too_few_shares_fails_and_leaves_no_progress(
    w: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_bootstrap(w.appliance, w.env(), check=False, root=tmp_path) == 0
    w.ops.seal()
    env = w.env(VAULT_TOKEN=w.operator(), VAULT_UNSEAL_KEYS="\n".join(w.ops.shares[:2]))
    assert run_bootstrap(w.appliance, env, check=False, root=tmp_path) == 1
    assert "2 share(s) given, 3 needed" in capsys.readouterr().err
    assert w.fake.sealed and w.ops.progress == set()
    # The next run, with enough shares, finishes the job.
    env["VAULT_UNSEAL_KEYS"] = ",".join(w.ops.shares[2:])
    assert run_bootstrap(w.appliance, env, check=False, root=tmp_path) == 0
    assert not w.fake.sealed


def test_sealed_without_shares_and_wrong_share(w: World, tmp_path: Path) -> None:
    assert run_bootstrap(w.appliance, w.env(), check=False, root=tmp_path) == 0
    w.ops.seal()
    env = w.env(VAULT_TOKEN=w.operator())
    assert run_bootstrap(w.appliance, env, check=False, root=tmp_path) == 1
    env["VAULT_UNSEAL_KEYS"] = "00" * 32
    assert run_bootstrap(w.appliance, env, check=False, root=tmp_path) == 1
    assert w.fake.sealed and w.ops.progress == set()


def test_check_reports_uninitialized_and_sealed_as_drift(w: World, tmp_path: Path) -> None:
    assert run_bootstrap(w.appliance, w.env(), check=True, root=tmp_path) == 2
    assert not w.ops.initialized and list(tmp_path.iterdir()) == []
    assert run_bootstrap(w.appliance, w.env(), check=False, root=tmp_path) == 0
    w.ops.seal()
    w.fake.log.clear()
    env = w.env(VAULT_TOKEN=w.operator())
    assert run_bootstrap(w.appliance, env, check=True, root=tmp_path) == 2
    assert [r for r in w.fake.log if r.method != "GET"] == []


def test_unreachable_vault_exits_1(
    w: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {"VAULT_ADDR": f"http://127.0.0.1:{port}"}
    assert run_bootstrap(w.appliance, env, check=False, root=tmp_path) == 1
    assert "cannot reach Vault" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_failed_step_after_init_still_revokes_the_root_token(w: World, tmp_path: Path) -> None:
    w.fake.forbidden_writes.add("sys/policies/acl/*")
    assert run_bootstrap(w.appliance, w.env(), check=False, root=tmp_path) == 1
    assert w.ops.root_token in w.ops.revoked
    assert (tmp_path / "keys" / "vault-init.age").exists()
    # The next run, with an operator's token, finishes what is missing.
    w.fake.forbidden_writes.clear()
    env = w.env(VAULT_TOKEN=w.operator())
    assert run_bootstrap(w.appliance, env, check=False, root=tmp_path) == 0
    assert "wildside-infra-k8s" in w.fake.policies


def test_wait_rides_out_a_load_balancer_without_healthy_nodes(w: World, tmp_path: Path) -> None:
    w.fake.fail_next(2, 502)
    pauses: list[float] = []
    code = run_bootstrap(
        w.appliance, w.env(), check=False, root=tmp_path, wait=60, sleep=pauses.append
    )
    assert code == 0 and pauses == [2.0, 4.0]
    assert w.ops.initialized


def test_without_wait_a_bad_gateway_is_a_runtime_failure(w: World, tmp_path: Path) -> None:
    w.fake.fail_next(1, 502)
    assert run_bootstrap(w.appliance, w.env(), check=False, root=tmp_path) == 1
    assert not w.ops.initialized and list(tmp_path.iterdir()) == []
