"""The repository's own workflows: triggers, least privilege, pins, time limits."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from app.runtime import PROJECT_ROOT
from wildside_ops.review.actionlint import action_files, workflow_files

WORKFLOWS = PROJECT_ROOT / ".github" / "workflows"
USES = re.compile(r"^\s*(?:-\s*)?uses:\s*(\S+)(.*)$", re.MULTILINE)


def _load(name: str) -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    return loaded


def _triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the key `on` as True.
    found: dict[str, Any] = workflow.get("on", workflow.get(True))
    return found


def test_every_remote_action_is_pinned_by_commit_with_its_version() -> None:
    files = [*workflow_files(PROJECT_ROOT), *action_files(PROJECT_ROOT)]
    assert len(files) >= 4
    for path in files:
        for target, rest in USES.findall(path.read_text(encoding="utf-8")):
            if target.startswith("./"):
                continue
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", target), f"{path}: {target}"
            assert re.fullmatch(r"\s*# v\d+(\.\d+)*", rest), f"{path}: {target} needs # vX.Y.Z"


def test_ci_runs_the_gates_on_pull_requests_and_main_with_least_privilege() -> None:
    workflow = _load("ci.yml")
    triggers = _triggers(workflow)
    assert set(triggers) == {"pull_request", "push"}
    assert triggers["push"]["branches"] == ["main"]
    assert workflow["permissions"] == {"contents": "read"}
    assert "pull_request.number" in workflow["concurrency"]["group"]
    assert workflow["concurrency"]["cancel-in-progress"] == (
        "${{ github.event_name == 'pull_request' }}"
    )
    jobs = workflow["jobs"]
    for job in jobs.values():
        assert 0 < job["timeout-minutes"] <= 30
        assert "permissions" not in job, "no job widens the token"
        cache = [s for s in job["steps"] if str(s.get("uses", "")).startswith("actions/cache@")]
        assert cache, "downloads are cached"
        assert cache[0]["with"]["key"] == "${{ steps.cache-key.outputs.key }}"
    gates = [s.get("run") for s in jobs["gates"]["steps"]]
    assert "bash .ci/run" in gates
    review = jobs["review"]
    assert review["if"] == "github.event_name == 'pull_request'"
    (checkout,) = [s for s in review["steps"] if "checkout" in str(s.get("uses"))]
    assert checkout["with"]["fetch-depth"] == 0, "the base commit must be present"
    (step,) = [s for s in review["steps"] if ".ci/review" in str(s.get("run"))]
    assert step["env"]["BASE_SHA"] == "${{ github.event.pull_request.base.sha }}"
    assert (PROJECT_ROOT / ".ci" / "review").stat().st_mode & 0o111


def test_the_weekly_pin_check_may_write_issues_and_nothing_else() -> None:
    workflow = _load("outdated.yml")
    triggers = _triggers(workflow)
    assert "schedule" in triggers
    _minute, _hour, day, month, weekday = triggers["schedule"][0]["cron"].split()
    assert (day, month) == ("*", "*")
    assert weekday.isdigit(), "weekly"
    assert workflow["permissions"] == {"contents": "read"}
    (job,) = workflow["jobs"].values()
    assert job["permissions"] == {"contents": "read", "issues": "write"}
    assert job["timeout-minutes"] <= 15
    runs = " ".join(str(s.get("run", "")) for s in job["steps"])
    assert "wildside outdated --open-issue" in runs
    assert "wildside synth --no-publish" in runs


def test_the_lint_gate_finds_every_workflow_and_action_by_glob(tmp_path: Path) -> None:
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "actions" / "new").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "a.yaml").write_text("on: push\n")
    (tmp_path / ".github" / "actions" / "new" / "action.yml").write_text("name: x\n")
    assert [p.name for p in workflow_files(tmp_path)] == ["a.yaml"]
    assert [p.parent.name for p in action_files(tmp_path)] == ["new"]
