"""Run a reusable workflow's ``run:`` steps the way the GitHub runner runs its one job.

Only what the runner does between steps is simulated: each step gets fresh GITHUB_OUTPUT
/ GITHUB_STEP_SUMMARY files, and ``${{ … }}`` in ``env:``, ``working-directory`` and the
job's outputs is expanded from the call's inputs (defaults filled in, booleans as
``true``/``false``), its secrets, earlier step outputs and ``github.api_url`` /
``github.server_url`` / ``github.workspace``, with ``a || b`` taking the first non-empty
value. ``uses:`` steps (check-out, App token, Python) and the ``deps`` step are skipped:
the project is already installed, and the workspace holds it where the check-out step
puts it. The structural tests check that the workflow uses no other expression, so this
covers the real file.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from app.runtime import PROJECT_ROOT
from tests.action.runner_sim import EXPRESSION, parse_command_file

SKIPPED_IDS = ("deps",)


def load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


def triggers(workflow: Mapping[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the key `on` as True.
    found: dict[str, Any] = workflow.get("on", workflow.get(True))
    return found


@dataclass
class StepRun:
    id: str
    returncode: int
    log: str
    outputs: dict[str, str]
    summary: str


@dataclass
class WorkflowRun:
    steps: dict[str, StepRun]
    outputs: dict[str, str]

    @property
    def log(self) -> str:
        return "".join(step.log for step in self.steps.values())

    @property
    def failed(self) -> StepRun | None:
        return next((s for s in self.steps.values() if s.returncode != 0), None)


class Context:
    def __init__(
        self,
        inputs: Mapping[str, str],
        secrets: Mapping[str, str],
        github: Mapping[str, str],
        steps: Mapping[str, StepRun],
    ) -> None:
        self.inputs, self.secrets, self.github, self.steps = inputs, secrets, github, steps

    def value(self, reference: str) -> str:
        parts = reference.split(".")
        if len(parts) == 2 and parts[0] == "secrets":
            return self.secrets.get(parts[1], "")  # an optional secret not passed is empty
        if len(parts) == 2 and parts[0] in ("inputs", "github"):
            return (self.inputs if parts[0] == "inputs" else self.github)[parts[1]]
        if len(parts) == 4 and parts[0] == "steps" and parts[2] == "outputs":
            step = self.steps.get(parts[1])
            return step.outputs.get(parts[3], "") if step else ""
        raise AssertionError(f"the simulated runner cannot evaluate {reference!r}")

    def evaluate(self, text: str) -> str:
        def replace(match: re.Match[str]) -> str:
            for alternative in match.group(1).split("||"):
                found = self.value(alternative.strip())
                if found:
                    return found
            return ""

        return EXPRESSION.sub(replace, text)


def _inputs(workflow: Mapping[Any, Any], given: Mapping[str, str | bool]) -> dict[str, str]:
    declared = triggers(workflow)["workflow_call"]["inputs"]
    unknown = set(given) - set(declared)
    assert not unknown, f"not inputs of the workflow: {sorted(unknown)}"
    missing = [n for n, spec in declared.items() if spec.get("required") and n not in given]
    assert not missing, f"required inputs not given: {missing}"
    values = {name: spec.get("default", "") for name, spec in declared.items()}
    values.update(given)
    # Expressions see booleans as true/false; environment variables get that text.
    return {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in values.items()}


def run_workflow(
    path: Path,
    given: Mapping[str, str | bool],
    secrets: Mapping[str, str],
    base_env: Mapping[str, str],
    work: Path,
    *,
    api_url: str,
    server_url: str = "https://github.com",
) -> WorkflowRun:
    """Run the one job of the reusable workflow at ``path`` as ``workflow_call`` would."""
    workflow = load(path)
    declared_secrets = set(triggers(workflow)["workflow_call"].get("secrets") or {})
    assert set(secrets) <= declared_secrets, sorted(set(secrets) - declared_secrets)
    workspace = work / "workspace"
    workspace.mkdir(parents=True)
    # Where the check-out step puts wildside-infra-k8s: this very project.
    checkout = workspace / "wildside-infra-k8s"
    checkout.symlink_to(PROJECT_ROOT, target_is_directory=True)
    try:
        return _run_job(
            workflow,
            given=given,
            secrets=secrets,
            base_env=base_env,
            work=work,
            workspace=workspace,
            github={"api_url": api_url, "server_url": server_url, "workspace": str(workspace)},
        )
    finally:
        checkout.unlink()


def _run_job(
    workflow: Mapping[Any, Any],
    *,
    given: Mapping[str, str | bool],
    secrets: Mapping[str, str],
    base_env: Mapping[str, str],
    work: Path,
    workspace: Path,
    github: Mapping[str, str],
) -> WorkflowRun:
    (job,) = workflow["jobs"].values()
    steps: dict[str, StepRun] = {}
    context = Context(
        _inputs(workflow, given),
        secrets,
        github,
        steps,
    )
    for number, step in enumerate(job["steps"]):
        step_id = step.get("id", f"step{number}")
        if "uses" in step or step_id in SKIPPED_IDS:
            continue
        assert "if" not in step, "the simulated runner runs every run: step"
        folder = work / "files" / f"{number:02d}-{step_id}"
        folder.mkdir(parents=True)
        output, summary = folder / "output", folder / "summary.md"
        output.touch()
        summary.touch()
        env = {
            **base_env,
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(summary),
        }
        for name, value in (step.get("env") or {}).items():
            env[name] = context.evaluate(str(value))
        cwd = workspace / context.evaluate(step.get("working-directory", "."))
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=300,
            check=False,
        )
        steps[step_id] = StepRun(
            step_id,
            done.returncode,
            done.stdout,
            parse_command_file(output.read_text(encoding="utf-8")),
            summary.read_text(encoding="utf-8"),
        )
        if done.returncode != 0:
            break
    job_outputs = {k: context.evaluate(str(v)) for k, v in (job.get("outputs") or {}).items()}
    outputs = {}
    for name, spec in triggers(workflow)["workflow_call"].get("outputs", {}).items():
        reference = EXPRESSION.fullmatch(str(spec["value"]))
        assert reference, spec
        parts = reference.group(1).split(".")
        assert parts[0] == "jobs" and parts[2] == "outputs", spec
        outputs[name] = job_outputs[parts[3]]
    return WorkflowRun(steps, outputs)
