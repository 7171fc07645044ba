"""``wildside secrets`` as a user runs it: configuration, exit codes, nothing in the clear."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import clean_env
from tests.secrets.conftest import AgeKey, new_key
from tests.support import EXAMPLE

SENTINEL = "xoxb-SENTINEL-4242-webhook"


def _config(tmp_path: Path, recipients: list[str], *, enabled: bool = True) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace("sops = false", f"sops = {'true' if enabled else 'false'}", 1)
    quoted = ", ".join(f'"{key}"' for key in recipients)
    text = text.replace("age_recipients = []", f"age_recipients = [{quoted}]", 1)
    path = tmp_path / "wildside.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _run(
    tmp_path: Path, config: Path, *args: str, key: AgeKey | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    tree = tmp_path / "gitops"
    tree.mkdir(exist_ok=True)
    extra = {"WILDSIDE_CONFIG": str(config), "WILDSIDE_GITOPS_DIR": str(tree)}
    if key is not None:
        extra["SOPS_AGE_KEY"] = key.private
    env = clean_env(tmp_path, extra)
    env.pop("SOPS_AGE_KEY_FILE", None)
    if key is None:
        env.pop("SOPS_AGE_KEY", None)
    return subprocess.run(
        [sys.executable, "-m", "app", "secrets", *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
        timeout=120,
    )


def test_set_from_stdin_then_check_then_foreign_recipients(tmp_path: Path) -> None:
    cluster = new_key()
    config = _config(tmp_path, [cluster.public])
    done = _run(
        tmp_path, config, "set", "webhook", "-n", "apps", "--from-stdin", "url", stdin=SENTINEL
    )
    assert done.returncode == 0, done.stdout + done.stderr
    written = tmp_path / "gitops/platform/secrets/clusters/dev/apps.webhook.yaml"
    assert written.is_file()
    assert SENTINEL not in written.read_text()
    assert SENTINEL not in done.stdout + done.stderr
    check = _run(tmp_path, config, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    # The cluster's key changes in configuration: the file is now for someone else.
    moved = _config(tmp_path, [new_key().public])
    refused = _run(tmp_path, moved, "check")
    assert refused.returncode == 2
    assert "recipients other than [sops] age_recipients" in refused.stdout + refused.stderr
    rotated = _run(tmp_path, moved, "rotate", key=cluster)
    assert rotated.returncode == 0, rotated.stdout + rotated.stderr
    assert _run(tmp_path, moved, "check").returncode == 0


def test_plaintext_under_platform_secrets_fails_check(tmp_path: Path) -> None:
    config = _config(tmp_path, [new_key().public])
    folder = tmp_path / "gitops/platform/secrets/clusters/dev"
    folder.mkdir(parents=True)
    (folder / "apps.leak.yaml").write_text(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: leak, namespace: apps}\n"
        "stringData: {token: clear}\n"
    )
    done = _run(tmp_path, config, "check")
    assert done.returncode == 2
    assert "stringData.token not encrypted" in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("recipients", "enabled", "field"),
    [
        (["age1nope"], True, "sops.age_recipients[0]"),
        ([], True, "sops.age_recipients"),
        ([], False, "components.sops"),
    ],
)
def test_bad_configuration_is_exit_2_and_writes_nothing(
    tmp_path: Path, recipients: list[str], enabled: bool, field: str
) -> None:
    config = _config(tmp_path, recipients, enabled=enabled)
    done = _run(tmp_path, config, "set", "webhook", "-n", "apps", "--from-literal", "url=x")
    assert done.returncode == 2
    assert field in done.stdout + done.stderr
    assert list((tmp_path / "gitops").iterdir()) == []
