"""``wildside vault bootstrap`` as a user runs it: configuration file, environment,
exit codes, and the configuration's own field-and-fix refusals."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import clean_env, run_app
from tests.support import example_raw
from tests.vault.bootstrap_support import World, world


@pytest.fixture
def w() -> Iterator[World]:
    with world() as made:
        yield made


def _config(tmp_path: Path, w: World, bootstrap: str = "") -> Path:
    recipient = w.appliance.bootstrap.recipients[0]
    text = (Path(__file__).parents[2] / "app" / "config" / "example.toml").read_text()
    assert "vault_appliance" not in example_raw()
    text += f"""
[vault_appliance]
domain = "example.com"
vault_deb_sha256 = "{"0" * 64}"

[vault_appliance.snapshot]
bucket = "wildside-vault"
endpoint = "https://nyc3.digitaloceanspaces.com"

[vault_appliance.bootstrap]
recipients = ["{recipient}"]
keys_file = "{tmp_path / "init" / "vault-init.age"}"
{bootstrap}
"""
    path = tmp_path / "wildside.toml"
    path.write_text(text)
    return path


def test_bootstrap_then_check(w: World, tmp_path: Path) -> None:
    config = _config(tmp_path, w)
    env = clean_env(tmp_path, {"VAULT_ADDR": w.fake.url})
    done = run_app(["vault", "bootstrap", "--config", str(config)], env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Vault is ready" in done.stderr and "Traceback" not in done.stderr
    assert (tmp_path / "init" / "vault-init.age").is_file()
    env["VAULT_TOKEN"] = w.operator()
    w.fake.log.clear()
    done = run_app(["vault", "bootstrap", "--check", "--config", str(config)], env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert all(r.method == "GET" for r in w.fake.log)
    w.fake.policies.pop("wildside-infra-k8s")
    done = run_app(["vault", "bootstrap", "--check", "--config", str(config)], env, timeout=120)
    assert done.returncode == 2
    assert "drift: policy wildside-infra-k8s (missing)" in done.stderr


def test_impossible_threshold_is_refused_by_the_configuration(w: World, tmp_path: Path) -> None:
    config = _config(tmp_path, w, "key_shares = 2\nkey_threshold = 3")
    env = clean_env(tmp_path, {"VAULT_ADDR": w.fake.url})
    done = run_app(["vault", "bootstrap", "--config", str(config)], env, timeout=120)
    assert done.returncode == 2
    assert "vault_appliance.bootstrap.key_threshold: must be at least 1 and no more" in done.stderr
    assert "Traceback" not in done.stderr
    assert w.fake.log == [] and not (tmp_path / "init").exists()


def test_without_the_table_it_says_what_to_add(tmp_path: Path) -> None:
    done = run_app(["vault", "bootstrap"], clean_env(tmp_path, {}), timeout=120)
    assert done.returncode == 2
    assert "no [vault_appliance] table" in done.stderr
