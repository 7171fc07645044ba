"""The pull-request summary, driven on real synth outputs and their changed twins."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import EndToEnd, run_app
from wildside_ops.review.summary import CAUTION

HELMRELEASE = "platform/traefik/helmrelease.yaml"


def _summary(base: Path, head: Path, *extra: str) -> tuple[int, str, str]:
    done = run_app(["review-summary", "--base-out", str(base), "--head-out", str(head), *extra])
    return done.returncode, done.stdout, done.stderr


@pytest.mark.slow
def test_a_chart_bump_is_one_changed_helmrelease(e2e: EndToEnd, tmp_path: Path) -> None:
    head = tmp_path / "head"
    shutil.copytree(e2e.outdir, head)
    stack_path = head / "stacks" / "platform-stack" / "cdk.tf.json"
    stack = json.loads(stack_path.read_text(encoding="utf-8"))
    rendered = stack["output"]["rendered_manifests"]["value"]
    assert "version: 37.4.0" in rendered[HELMRELEASE]
    # What the synthesised JSON holds after TRAEFIK_CHART_VERSION moves to 37.5.0.
    rendered[HELMRELEASE] = rendered[HELMRELEASE].replace("version: 37.4.0", "version: 37.5.0")
    stack_path.write_text(json.dumps(stack, indent=2), encoding="utf-8")
    diff = tmp_path / "gitops.diff"
    diff.write_text(f"changed  {HELMRELEASE}\n-    version: 37.4.0\n+    version: 37.5.0\n")
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    code, out, err = _summary(
        e2e.outdir, head, "--gitops-diff", str(diff), "--output", str(summary)
    )
    assert code == 0, err
    assert out == ""
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n## What this change would publish\n")
    manifests = text.split("### Platform manifests")[1].split("<details>")[0]
    changes = [line for line in manifests.splitlines() if line.startswith("- ")]
    assert changes == [f"- changed `{HELMRELEASE}`: HelmRelease traefik/traefik"]
    assert CAUTION not in text
    assert "| cluster-stack | none | none | none |" in text
    assert "+    version: 37.5.0" in text
    shutil.rmtree(head)


def test_a_folder_without_synth_output_is_refused(tmp_path: Path) -> None:
    code, _out, err = _summary(tmp_path, tmp_path)
    assert code == 2
    assert "--base-out" in err
    assert "holds no synth output" in err
