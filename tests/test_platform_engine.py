"""The platform stack applied by a real engine returns the tree the hook wrote."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from tests.conftest import EndToEnd

ENGINE = shutil.which("tofu") or shutil.which("terraform")


@pytest.mark.skipif(ENGINE is None, reason="neither tofu nor terraform is installed")
def test_engine_output_equals_published_files(e2e: EndToEnd) -> None:
    assert ENGINE is not None
    stack_dir = e2e.outdir / "stacks" / "platform-stack"
    env = {**os.environ, "TF_IN_AUTOMATION": "1", "TF_CLI_CONFIG_FILE": os.devnull}

    def engine(*args: str) -> str:
        done = subprocess.run(
            [ENGINE, f"-chdir={stack_dir}", *args],
            check=False,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    engine("init", "-input=false", "-no-color")
    engine("apply", "-auto-approve", "-input=false", "-no-color")
    outputs = json.loads(engine("output", "-json"))
    rendered = outputs["rendered_manifests"]["value"]
    assert outputs["manifest_count"]["value"] == len(rendered)
    assert "traefik" in outputs["enabled_components"]["value"]
    on_disk = {
        path.relative_to(e2e.workdir).as_posix(): path.read_text(encoding="utf-8")
        for path in e2e.workdir.rglob("*.yaml")
        if path.relative_to(e2e.workdir).parts[0] in {"clusters", "platform"}
    }
    assert rendered == on_disk
    # Flux placeholders survive the engine as literal ${...}, not interpolation.
    assert any("${" in text for text in rendered.values())
    # The embedded default keeps its state beside the project, never in cdktf.out.
    assert (e2e.root / "terraform.platform-stack.tfstate").is_file()
    # A second apply changes nothing.
    plan = subprocess.run(
        [ENGINE, f"-chdir={stack_dir}", "plan", "-detailed-exitcode", "-input=false"],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert plan.returncode == 0, plan.stdout + plan.stderr
