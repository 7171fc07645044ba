"""Run action.yml's own ``run:`` steps the way the GitHub runner runs a composite action.

Only what the runner does between steps is simulated: each step gets fresh
GITHUB_ENV / GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files, variables written to
GITHUB_ENV are applied to later steps, ``if: always()`` steps run after a
failure, and ``${{ inputs.* }}``, ``${{ github.action_path }}`` and
``${{ steps.*.outputs.* }}`` are expanded in ``env:``, ``working-directory``
and output values. ``uses:`` steps (tool set-up) and the ``cache-key`` and ``deps`` steps are
skipped: the project is already installed here. The structural tests check
that action.yml uses no other expression, so this covers the real file.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from app.runtime import PROJECT_ROOT

ACTION_DIR = PROJECT_ROOT / ".github" / "actions" / "wildside-infra-k8s"
ACTION_FILE = ACTION_DIR / "action.yml"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
SKIPPED_IDS = ("cache-key", "deps")


def load_action() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(ACTION_FILE.read_text(encoding="utf-8"))
    return loaded


def parse_command_file(text: str) -> dict[str, str]:
    """The runner's GITHUB_ENV / GITHUB_OUTPUT format: ``k=v`` lines and ``k<<DELIM`` blocks."""
    found: dict[str, str] = {}
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line.strip():
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            body: list[str] = []
            while lines[index] != delimiter:
                body.append(lines[index])
                index += 1
            index += 1
            found[name] = "\n".join(body)
        else:
            name, value = line.split("=", 1)
            found[name] = value
    return found


@dataclass
class StepRun:
    id: str
    returncode: int
    log: str
    env_file: str
    output_file: str
    summary: str

    @property
    def outputs(self) -> dict[str, str]:
        return parse_command_file(self.output_file)


@dataclass
class ActionRun:
    steps: dict[str, StepRun]
    outputs: dict[str, str]
    job_env: dict[str, str]
    skipped: list[str] = field(default_factory=list)

    @property
    def log(self) -> str:
        return "".join(step.log for step in self.steps.values())

    @property
    def summary(self) -> str:
        return "".join(step.summary for step in self.steps.values())

    def ok(self) -> bool:
        return all(step.returncode == 0 for step in self.steps.values())


def _evaluate(text: str, inputs: Mapping[str, str], steps: Mapping[str, StepRun]) -> str:
    def replace(match: re.Match[str]) -> str:
        expression = match.group(1)
        if expression == "github.action_path":
            return str(ACTION_DIR)
        parts = expression.split(".")
        if len(parts) == 2 and parts[0] == "inputs":
            return inputs[parts[1]]
        if len(parts) == 4 and parts[0] == "steps" and parts[2] == "outputs":
            step = steps.get(parts[1])
            return step.outputs.get(parts[3], "") if step else ""
        raise AssertionError(f"the simulated runner cannot evaluate ${{{{ {expression} }}}}")

    return EXPRESSION.sub(replace, text)


def run_action(given: Mapping[str, str], base_env: Mapping[str, str], files: Path) -> ActionRun:
    """Run the action with ``given`` inputs (defaults from action.yml fill the rest)."""
    action = load_action()
    inputs = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    unknown = set(given) - set(inputs)
    assert not unknown, f"not inputs of the action: {sorted(unknown)}"
    inputs.update(given)
    job_env: dict[str, str] = {}
    steps: dict[str, StepRun] = {}
    skipped: list[str] = []
    failed = False
    for number, step in enumerate(action["runs"]["steps"]):
        step_id = step.get("id", f"step{number}")
        if "uses" in step or step_id in SKIPPED_IDS:
            skipped.append(step.get("uses", step_id))
            continue
        if failed and step.get("if") != "always()":
            continue
        folder = files / f"{number:02d}-{step_id}"
        folder.mkdir(parents=True)
        paths = {name: folder / name.lower() for name in ("GITHUB_ENV", "GITHUB_OUTPUT")}
        paths["GITHUB_STEP_SUMMARY"] = folder / "summary.md"
        for path in paths.values():
            path.touch()
        env = {**base_env, **job_env, **{name: str(path) for name, path in paths.items()}}
        for name, value in (step.get("env") or {}).items():
            env[name] = _evaluate(str(value), inputs, steps)
        cwd = Path(_evaluate(step.get("working-directory", "."), inputs, steps)).resolve()
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=600,
            check=False,
        )
        record = StepRun(
            step_id,
            done.returncode,
            done.stdout,
            paths["GITHUB_ENV"].read_text(encoding="utf-8"),
            paths["GITHUB_OUTPUT"].read_text(encoding="utf-8"),
            paths["GITHUB_STEP_SUMMARY"].read_text(encoding="utf-8"),
        )
        steps[step_id] = record
        job_env.update(parse_command_file(record.env_file))
        failed = failed or done.returncode != 0
    outputs = {
        name: _evaluate(str(spec["value"]), inputs, steps)
        for name, spec in action.get("outputs", {}).items()
    }
    return ActionRun(steps, outputs, job_env, skipped)
