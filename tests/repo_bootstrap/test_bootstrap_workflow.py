"""The reusable ``bootstrap-gitops-repo.yml`` workflow: its contract, and its steps run
in order against a fake GitHub API and a fake Vault on loopback."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.cli import build_parser
from app.runtime import PROJECT_ROOT
from tests.apps.test_app_action import _lint
from tests.conftest import clean_env
from tests.fakes.fake_github_repos import FakeGitHub
from tests.fakes.fake_vault import ROLE_ID, SECRET_ID, FakeVault
from tests.repo_bootstrap.workflow_sim import EXPRESSION, load, run_workflow, triggers

WORKFLOWS = PROJECT_ROOT / ".github" / "workflows"
WORKFLOW = WORKFLOWS / "bootstrap-gitops-repo.yml"
EXAMPLE = WORKFLOWS / "example-bootstrap-gitops-repo.yml"
TOKEN = "ghp_SENTINEL0bootstrap0token"
# Credentials: each must be masked before a run: step receives it.
CREDENTIALS = {
    "github_token",
    "app_private_key",
    "vault_address",
    "vault_role_id",
    "vault_secret_id",
}
CHECKS = "validate\nbuild (3.11, ubuntu)\n"
CALL = {"owner": "wildside", "repository": "gitops", "infra_ref": "0" * 40}


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    return load(WORKFLOW)


def _job(workflow: dict[str, Any]) -> dict[str, Any]:
    (job,) = workflow["jobs"].values()
    return dict(job)


def test_actionlint_passes_on_the_workflow_and_its_example_caller() -> None:
    done = _lint(WORKFLOW, EXAMPLE)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_reusable_workflow_with_least_privilege_one_run_per_repository(
    workflow: dict[str, Any],
) -> None:
    call = triggers(workflow)
    assert set(call) == {"workflow_call"}
    spec = call["workflow_call"]
    assert spec["inputs"]["check_only"] == {**spec["inputs"]["check_only"], "type": "boolean"}
    assert spec["inputs"]["check_only"]["default"] is False
    assert {"repository_url", "changed", "drift", "summary"} <= set(spec["outputs"])
    assert {"vault_role_id", "vault_secret_id"} <= {
        name for name, s in spec["secrets"].items() if s.get("required")
    }
    assert workflow["permissions"] == {"contents": "read"}
    group = workflow["concurrency"]["group"]
    assert "inputs.owner" in group and "inputs.repository" in group
    assert workflow["concurrency"]["cancel-in-progress"] is False
    job = _job(workflow)
    assert 0 < job["timeout-minutes"] <= 30 and "permissions" not in job


def test_every_input_and_secret_is_used_and_nothing_else_is_referenced(
    workflow: dict[str, Any],
) -> None:
    spec = triggers(workflow)["workflow_call"]
    text = WORKFLOW.read_text(encoding="utf-8").split("\njobs:", 1)[1]
    used = set(re.findall(r"\binputs\.(\w+)", text)) | set(re.findall(r"\bsecrets\.(\w+)", text))
    assert used == set(spec["inputs"]) | set(spec["secrets"])


def _step_index(steps: list[dict[str, Any]], step_id: str) -> int:
    return next(i for i, step in enumerate(steps) if step.get("id") == step_id)


def test_credentials_are_masked_before_any_run_step_uses_them(workflow: dict[str, Any]) -> None:
    steps = _job(workflow)["steps"]
    mask_at = _step_index(steps, "mask")
    mask = steps[mask_at]
    masked = set(shlex.split(mask["run"])[2:])
    assert set(mask["env"]) == masked
    for number, step in enumerate(steps):
        assert "${{" not in step.get("run", ""), step.get("name")
        for name, value in (step.get("env") or {}).items():
            refs = set(re.findall(r"secrets\.(\w+)", str(value)))
            if refs & CREDENTIALS or "steps.app-token.outputs.token" in str(value):
                assert number >= mask_at and name in masked, (step["name"], name)
        # A credential reaches an action only as the App's key, to the App-token action.
        for value in (step.get("with") or {}).values():
            refs = set(re.findall(r"secrets\.(\w+)", str(value)))
            assert refs <= {"app_private_key"}, step["name"]
            assert not refs or step["uses"].startswith("actions/create-github-app-token@")
    setup = [i for i, s in enumerate(steps) if "setup-python" in str(s.get("uses"))]
    assert mask_at < setup[0], "masked before anything is installed"


def _commands(workflow: dict[str, Any]) -> list[tuple[dict[str, Any], list[str]]]:
    found = []
    for step in _job(workflow)["steps"]:
        if "wildside " in step.get("run", ""):
            assert step["run"].startswith(".venv/bin/wildside "), "one wildside command a step"
            assert not set("\n;&|`") & set(step["run"]), step["run"]
            found.append((step, shlex.split(step["run"])[1:]))
    return found


def test_the_bootstrap_step_parses_with_the_real_cli(workflow: dict[str, Any]) -> None:
    (step, words), *_ = _commands(workflow)
    samples = {
        "OWNER": "wildside",
        "REPOSITORY": "gitops",
        "BRANCH": "main",
        "REQUIRED_CHECKS": CHECKS,
        "PUBLIC": "false",
        "VAULT_PATH": "",
        # A PEM starts with dashes: it must still read as a value.
        "VAULT_CA_CERTIFICATE": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
        "CHECK_ONLY": "true",
    }
    assert set(samples) <= set(step["env"])
    expanded = [re.sub(r"\$(\w+)", lambda m: samples[m.group(1)], word) for word in words]
    args = build_parser().parse_args(expanded)
    assert (args.command, args.gitops_command) == ("gitops", "bootstrap")
    assert args.repository == "wildside/gitops" and args.branch == "main"
    assert args.required_check == [CHECKS]
    assert args.check is True and args.public is False
    assert args.vault_ca_certificate.startswith("-----BEGIN")


def test_the_example_caller_checks_on_a_schedule_and_runs_by_hand() -> None:
    example = load(EXAMPLE)
    on = triggers(example)
    assert {"workflow_dispatch", "schedule"} <= set(on)
    call = example["jobs"]["gitops-repo"]
    assert call["uses"] == "./.github/workflows/bootstrap-gitops-repo.yml"
    assert "github.event_name == 'schedule'" in call["with"]["check_only"]
    assert example["permissions"] == {"contents": "read"}


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[FakeGitHub, FakeVault, dict[str, str]]]:
    with FakeGitHub().running() as github, FakeVault().running() as vault:
        secrets = {
            "github_token": TOKEN,
            "vault_address": vault.url,
            "vault_role_id": ROLE_ID,
            "vault_secret_id": SECRET_ID,
        }
        yield github, vault, secrets


def _run(
    world: tuple[FakeGitHub, FakeVault, dict[str, str]], tmp: Path, **given: str | bool
) -> Any:
    github, _vault, secrets = world
    env = clean_env(tmp, {})
    for name in ("GITHUB_TOKEN", "GITHUB_API_URL", "VAULT_ADDR", "VAULT_TOKEN"):
        env.pop(name, None)
    work = tmp / f"run{len(list(tmp.glob('run*')))}"
    return run_workflow(WORKFLOW, {**CALL, **given}, secrets, env, work, api_url=github.url)


def test_from_nothing_then_again_without_a_write_then_a_drift_check(
    world: tuple[FakeGitHub, FakeVault, dict[str, str]], tmp_path: Path
) -> None:
    github, vault, _secrets = world
    first = _run(world, tmp_path, required_checks=CHECKS)
    assert first.failed is None, first.log
    assert first.outputs["repository_url"] == f"{github.url}/wildside/gitops"
    assert (first.outputs["changed"], first.outputs["drift"]) == ("true", "true")
    assert "deploy key: repaired" in first.outputs["summary"]
    assert "| branch protection | repaired |" in first.steps["bootstrap"].summary
    repo = github.repos["wildside/gitops"]
    assert repo.protection is not None
    assert repo.protection["required_status_checks"]["contexts"] == [
        "build (3.11, ubuntu)",
        "validate",
    ]
    assert vault.latest("wildside/gitops/wildside/gitops/deploy-key") is not None
    # Masked by the first run: step, before the project ran at all.
    masks = set(re.findall(r"::add-mask::(.*)", first.steps["mask"].log))
    assert {TOKEN, ROLE_ID, SECRET_ID} <= masks
    assert TOKEN not in first.steps["bootstrap"].log

    writes = len(github.writes)
    again = _run(world, tmp_path, required_checks=CHECKS)
    assert again.failed is None, again.log
    assert (again.outputs["changed"], again.outputs["drift"]) == ("false", "false")
    assert github.writes[writes:] == []

    repo.protection = None  # removed by hand
    check = _run(world, tmp_path, required_checks=CHECKS, check_only=True)
    assert check.failed is not None and check.failed.returncode == 2
    assert (check.outputs["changed"], check.outputs["drift"]) == ("false", "true")
    assert "branch protection: drift" in check.outputs["summary"]
    assert github.writes[writes:] == [] and repo.protection is None

    repair = _run(world, tmp_path, required_checks=CHECKS)
    assert repair.failed is None, repair.log
    assert repair.outputs["changed"] == "true" and repo.protection is not None


def test_no_required_check_is_bad_input_and_writes_nothing(
    world: tuple[FakeGitHub, FakeVault, dict[str, str]], tmp_path: Path
) -> None:
    done = _run(world, tmp_path, required_checks="\n")
    assert done.failed is not None and done.failed.id == "bootstrap"
    assert done.failed.returncode == 2
    assert "--required-check: no status check named" in done.failed.log
    assert "Traceback" not in done.failed.log
    assert world[0].writes == [] and done.outputs["repository_url"] == ""


def test_run_steps_use_only_expressions_the_simulation_evaluates(
    workflow: dict[str, Any],
) -> None:
    # The simulation evaluates inputs, secrets, step outputs, github.api_url and
    # github.workspace, joined by ||: anything else would be untested here.
    allowed = re.compile(
        r"(?:inputs|secrets)\.\w+|steps\.[\w-]+\.outputs\.\w+|github\.(?:api_url|workspace)"
    )
    for step in _job(workflow)["steps"]:
        if "run" not in step:
            continue
        for value in [*(step.get("env") or {}).values(), step.get("working-directory", "")]:
            for expression in EXPRESSION.findall(str(value)):
                for part in expression.split("||"):
                    assert allowed.fullmatch(part.strip()), expression
