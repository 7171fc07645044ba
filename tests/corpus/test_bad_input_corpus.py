"""Every case of the bad-input corpus: exit code 2, the field named, nothing written.

One good ``wildside render`` (a subprocess, once per module) makes a real
``cdktf.out`` and GitOps repository; each bad case then runs the CLI in-process
against them and must leave both byte-identical, git's own files included.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from app.cli import main
from tests.conftest import GIT_ENV, clean_env, run_app
from tests.corpus.cases import CASES, Case
from tests.corpus.files import MAKERS

Snapshot = dict[str, tuple[int, bytes]]


def snapshot(root: Path) -> Snapshot:
    """Every file and folder below ``root``: mode and bytes (links: their target)."""
    found: Snapshot = {}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            body = os.readlink(path).encode()
        elif stat.S_ISREG(info.st_mode):
            body = path.read_bytes()
        else:
            body = b""
        found[path.relative_to(root).as_posix()] = (info.st_mode, body)
    return found


class Baseline:
    def __init__(self, root: Path) -> None:
        self.outdir = root / "cdktf.out"
        self.gitops = root / "gitops"
        env = clean_env(root, {"WILDSIDE_GITOPS_DIR": str(self.gitops)})
        done = run_app(["render", "--outdir", str(self.outdir)], env)
        assert done.returncode == 0, done.stderr
        self.before = (snapshot(self.outdir), snapshot(self.gitops))

    def intact(self) -> bool:
        return (snapshot(self.outdir), snapshot(self.gitops)) == self.before


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Baseline:
    return Baseline(tmp_path_factory.mktemp("corpus"))


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 150
    assert len({case[0] for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_bad_input_is_refused_with_nothing_written(
    case: Case,
    baseline: Baseline,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _name, env, maker, field = case
    for name in [name for name in os.environ if name.startswith("WILDSIDE_")]:
        monkeypatch.delenv(name)
    for name, value in {**GIT_ENV, "HOME": str(tmp_path)}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("WILDSIDE_GITOPS_DIR", str(baseline.gitops))
    variables = dict(env)
    if maker is not None:
        variables.update(MAKERS[maker](tmp_path))
    for name, value in variables.items():
        monkeypatch.setenv(name, value)

    code = main(["render", "--outdir", str(baseline.outdir)])

    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert code == 2, output[-2000:]
    assert field in output
    assert "Traceback" not in output
    assert baseline.intact()
