"""No unseal share, root token or operator token leaks from the bootstrap.

Every value the fake Vault handed out (each share, hex and base64, and the root
token) and the operator's sentinel token are searched for in the output, in
every file the run left, and in every object of a Git repository that
committed those files. In GitHub Actions each is registered with the masker
(``::add-mask::``) before anything else could print it, and appears nowhere else.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.vault.bootstrap_support import World, world
from wildside_ops.vault.bootstrap import run_bootstrap


@pytest.fixture
def w() -> Iterator[World]:
    with world() as made:
        yield made


def _full_cycle(w: World, root: Path) -> None:
    assert run_bootstrap(w.appliance, w.env(), check=False, root=root) == 0
    w.ops.seal()
    w.ops.audit.clear()
    shares = "\n".join(w.ops.shares[:3])
    env = w.env(VAULT_TOKEN=w.operator(), VAULT_UNSEAL_KEYS=shares)
    assert run_bootstrap(w.appliance, env, check=True, root=root) == 2
    assert run_bootstrap(w.appliance, env, check=False, root=root) == 0
    env["VAULT_UNSEAL_KEYS"] = "\n".join(w.ops.shares[:1])
    w.ops.seal()
    assert run_bootstrap(w.appliance, env, check=False, root=root) == 1


def _git_objects(repo: Path) -> bytes:
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "keys"], check=True)
    listing = subprocess.run(
        [*git, "cat-file", "--batch-all-objects", "--batch-check=%(objectname)"],
        check=True,
        capture_output=True,
    ).stdout.split()
    batch = subprocess.run(
        [*git, "cat-file", "--batch"],
        input=b"\n".join(listing) + b"\n",
        check=True,
        capture_output=True,
    )
    return batch.stdout


def test_no_secret_in_output_files_or_git(
    w: World, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "workspace"
    repo.mkdir()
    _full_cycle(w, repo)
    out, err = capfd.readouterr()
    sentinels = [*w.share_values(), w.operator()]
    assert len(sentinels) == 5 * 2 + 2
    files = b"".join(p.read_bytes() for p in repo.rglob("*") if p.is_file())
    objects = _git_objects(repo)
    for value in sentinels:
        assert value not in out and value not in err
        assert value.encode() not in files
        assert value.encode() not in objects
    # Vault's own request log is the only place the shares went (as the API wants).
    assert any(r.path == "sys/unseal" for r in w.fake.log)


def test_in_ci_every_secret_is_masked_first_and_shown_nowhere_else(
    w: World, tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    _full_cycle(w, tmp_path)
    out, err = capfd.readouterr()
    for value in [*w.ops.shares[:3], w.operator(), w.ops.root_token]:
        registered = f"::add-mask::{value}"
        assert out.count(registered) == 1
        assert out.replace(registered, "").count(value) == 0 and value not in err
