"""The reusable ``promote-platform.yml`` workflow: its contract, and its steps run in
order against a git smart-HTTP remote and a fake GitHub API on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from app.runtime import PROJECT_ROOT
from tests.apps.test_app_action import _lint
from tests.conftest import clean_env
from tests.fakes.fake_github import REPO, FakeGitHub
from tests.fakes.git_http import GitHttp, git_http
from tests.repo_bootstrap.workflow_sim import WorkflowRun, load, run_workflow, triggers
from wildside_ops.gitops import PublishRequest, publish

if TYPE_CHECKING:
    from tests.gitops.conftest import Git

WORKFLOWS = PROJECT_ROOT / ".github" / "workflows"
WORKFLOW = WORKFLOWS / "promote-platform.yml"
EXAMPLE = WORKFLOWS / "example-promote-platform.yml"
TOKEN = "ghp_SENTINEL0promote0token"
STAGING = "environments/staging/platform"


def test_actionlint_passes_on_the_workflow_and_its_example_caller() -> None:
    done = _lint(WORKFLOW, EXAMPLE)
    assert done.returncode == 0, done.stdout + done.stderr


def test_least_privilege_and_one_promotion_per_target_at_a_time() -> None:
    workflow = load(WORKFLOW)
    assert set(triggers(workflow)) == {"workflow_call"}
    spec = triggers(workflow)["workflow_call"]
    assert spec["inputs"]["mode"]["default"] == "pull-request"
    assert spec["secrets"]["gitops_token"]["required"] is True
    assert workflow["permissions"] == {"contents": "read"}
    group = workflow["concurrency"]["group"]
    assert "inputs.gitops_repository" in group and "inputs.to" in group
    assert workflow["concurrency"]["cancel-in-progress"] is False
    (job,) = workflow["jobs"].values()
    ids = [step.get("id") for step in job["steps"]]
    assert ids.index("mask") < ids.index("promote")


@dataclass
class World:
    server: GitHttp
    github: FakeGitHub
    remote: Path
    work: Path

    def run(self, **given: Any) -> WorkflowRun:
        call = {"from": "sandbox", "to": "staging", "gitops_repository": REPO}
        call.update(infra_ref="0" * 40, **given)
        self.work = self.work.with_name(f"{self.work.name}-x")
        return run_workflow(
            WORKFLOW,
            call,
            {"gitops_token": TOKEN},
            clean_env(self.work, {}),
            self.work,
            api_url=self.github.url,
            server_url=self.server.url,
        )


@pytest.fixture
def world(tmp_path: Path, git: Git) -> Iterator[World]:
    root = tmp_path / "served"
    remote = git.bare(root / f"{REPO}.git")
    with (
        git_http(root, "x-access-token", TOKEN) as server,
        FakeGitHub(token=TOKEN).running() as api,
    ):
        sandbox = PublishRequest(
            cluster="dev",
            files={"platform/traefik/kustomization.yaml": "resources: []\n"},
            components=("traefik",),
            workdir=tmp_path / "sandbox",
            remote=f"http://x-access-token:{TOKEN}@{server.url.removeprefix('http://')}/{REPO}.git",
        )
        publish(sandbox, log=lambda _line: None)
        yield World(server, api, remote, tmp_path / "run")


def test_a_pull_request_then_a_commit_then_nothing(world: World, git: Git) -> None:
    main = git("rev-parse", "main", cwd=world.remote)
    review = world.run()
    assert review.failed is None, review.log
    assert review.outputs["promoted"] == "true"
    assert review.outputs["branch"].startswith("promote/sandbox-to-staging-")
    (opened,) = world.github.opened
    assert opened["head"] == review.outputs["branch"]
    assert review.outputs["pull_request_url"].endswith(f"/{REPO}/pull/{opened['number']}")
    assert git("rev-parse", "main", cwd=world.remote) == main
    assert f"::add-mask::{TOKEN}" in review.steps["mask"].log
    assert TOKEN not in review.steps["promote"].log

    direct = world.run(mode="commit")
    assert direct.failed is None, direct.log
    assert direct.outputs["commit_sha"] == git("rev-parse", "main", cwd=world.remote)
    assert f"{STAGING}/traefik/kustomization.yaml" in git.paths(world.remote)

    again = world.run(mode="commit")
    assert again.failed is None, again.log
    assert (again.outputs["promoted"], again.outputs["commit_sha"]) == ("false", "")
    assert "nothing to promote" in again.log


@pytest.mark.parametrize(
    ("given", "named"),
    [({"mode": "merge"}, "mode: 'merge'"), ({"to": "production"}, "--force")],
)
def test_bad_input_exits_2_and_pushes_nothing(
    world: World, git: Git, given: dict[str, Any], named: str
) -> None:
    before = git("for-each-ref", "--format=%(refname) %(objectname)", cwd=world.remote)
    run = world.run(**given)
    assert run.failed is not None and run.failed.returncode == 2
    assert named in run.log
    assert "Traceback" not in run.log
    assert git("for-each-ref", "--format=%(refname) %(objectname)", cwd=world.remote) == before
    assert world.github.opened == []
