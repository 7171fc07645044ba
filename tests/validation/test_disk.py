"""``python -m wildside_constructs.validation DIR`` on a checkout, as users' CI runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.runtime import PROJECT_ROOT
from tests.support import NO_SCHEMAS_REASON, SCHEMAS, example_with, render_platform
from tests.validation.trees import write_tree
from wildside_constructs.validation.__main__ import main
from wildside_constructs.validation.disk import read_tree

SECRET = """\
apiVersion: v1
kind: Namespace
metadata:
  name: extra
---
apiVersion: v1
kind: Secret
metadata:
  name: token
  namespace: extra
stringData:
  token: hunter2
"""


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    return dict(render_platform(example_with(), schemas=False).rendered)


@pytest.fixture
def checkout(tmp_path: Path, rendered: dict[str, str]) -> Path:
    return write_tree(tmp_path / "gitops", rendered)


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def test_the_rendered_checkout_passes(checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run([str(checkout)], capsys)
    assert (code, out) == (0, [])
    assert "no problems" in err


def test_the_module_runs_as_a_command(checkout: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "wildside_constructs.validation", "--no-schemas", str(checkout)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_problems_are_printed_one_a_line_and_exit_1(
    checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (checkout / "platform/traefik/extra.yaml").write_text(SECRET)
    (checkout / "platform/traefik/broken.yaml").write_text("a: [\n")
    code, out, _err = run(["--no-schemas", str(checkout)], capsys)
    assert code == 1
    assert out[0].startswith("platform/traefik/broken.yaml: yaml: cannot parse: ")
    assert out[1:] == [
        "platform/traefik/extra.yaml: kustomization-unlisted: not listed in "
        "platform/traefik/kustomization.yaml, so nothing applies this file",
        "platform/traefik/extra.yaml: secret-literal: Secret extra/token carries literal "
        "stringData; deliver it through an ExternalSecret, or encrypt it with "
        "`wildside secrets set`",
    ]


def test_an_unparsable_file_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("a: [\n")
    files, problems = read_tree(tmp_path)
    assert files == {}
    assert [p.field for p in problems] == ["bad.yaml"]
    assert problems[0].message.startswith("yaml: cannot parse")


def test_hidden_folders_are_not_manifests(
    checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workflow = checkout / ".github" / "workflows" / "ci.yaml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text("on: push\njobs: {}\n")
    code, out, _err = run(["--no-schemas", str(checkout)], capsys)
    assert (code, out) == (0, [])


@pytest.mark.skipif(SCHEMAS is None, reason=NO_SCHEMAS_REASON)
def test_schemas_are_checked_with_each_clusters_substitutions(
    checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unit = checkout / "clusters/dev/traefik.yaml"
    unit.write_text(unit.read_text().replace("      traefik_replicas: '2'\n", ""))
    release = checkout / "platform/traefik/helmrelease.yaml"
    release.write_text(
        release.read_text().replace("  interval: 1h\n", "  interval: 1h\n  intervall: 1h\n")
    )
    code, out, _err = run([str(checkout)], capsys)
    assert code == 1
    assert out == [
        "platform/traefik/helmrelease.yaml: substitution: no value for traefik_replicas in its unit"
    ]
    restored = unit.read_text().replace(
        "substitute:\n", "substitute:\n      traefik_replicas: '2'\n"
    )
    unit.write_text(restored)
    code, out, _err = run([str(checkout)], capsys)
    assert code == 1
    assert len(out) == 1
    assert out[0].startswith("platform/traefik/helmrelease.yaml: schema: ")
    assert "intervall" in out[0]


def test_bad_arguments_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "missing")]) == 2
    assert main(["--schemas", str(tmp_path), str(tmp_path)]) == 2
    assert "no index.json" in capsys.readouterr().err
