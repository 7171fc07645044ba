"""GitHub feedback through PyGithub against a fake GitHub API on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.apps.conftest import Apps, images, sha
from tests.fakes.fake_github import FakeGitHub
from wildside_ops.apps.github_feedback import marker

TOKEN = "ghs_SENTINEL0github0token0never0logged"


@pytest.fixture
def github(apps: Apps) -> Iterator[FakeGitHub]:
    fake = FakeGitHub(token=TOKEN)
    with fake.running():
        apps.env.update({"GITHUB_TOKEN": TOKEN, "WILDSIDE_APPS_GITHUB_API_URL": fake.url})
        yield fake


def test_one_sticky_comment_after_three_deploys_and_a_deployment_url(
    apps: Apps, github: FakeGitHub
) -> None:
    github.pull(12)
    github.comments[12] = [{"id": 1, "body": "an unrelated review comment"}]
    for seed in (1, 2, 3):
        done = apps.deploy(12, sha(seed))
        assert done.returncode == 0, done.stderr
    ours = [c for c in github.comments[12] if marker("wildside", 12) in c["body"]]
    assert len(ours) == 1 and len(github.comments[12]) == 2
    assert sha(3) in ours[0]["body"] and "https://pr-12.previews.dev.example.com" in ours[0]["body"]
    status = github.latest_status("wildside-pr-12")
    assert status["state"] == "success"
    assert status["environment_url"] == "https://pr-12.previews.dev.example.com"
    deployment = github.deployments[-1]
    assert deployment["ref"] == sha(3) and deployment["transient_environment"] is True
    assert deployment["production_environment"] is False


def test_teardown_marks_the_comment_and_the_deployment_inactive(
    apps: Apps, github: FakeGitHub
) -> None:
    github.pull(5)
    assert apps.deploy(5, sha(1)).returncode == 0
    done = apps.run("teardown", "--pr", "5")
    assert done.returncode == 0, done.stderr
    assert github.latest_status("wildside-pr-5")["state"] == "inactive"
    (comment,) = github.comments[5]
    assert "Torn down" in comment["body"]


@pytest.mark.parametrize(
    ("kind", "code", "said"),
    [
        ({"draft": True}, 0, "is a draft"),
        ({"labels": ()}, 0, "is not labelled 'preview'"),
        ({"state": "closed"}, 0, "is closed"),
        ({"fork": True}, 1, "comes from a fork"),
    ],
)
def test_only_labelled_ready_pull_requests_from_this_repository_get_a_preview(
    apps: Apps, github: FakeGitHub, kind: dict[str, object], code: int, said: str
) -> None:
    github.pull(9, **kind)  # type: ignore[arg-type]
    done = apps.deploy(9, sha(1))
    assert done.returncode == code, done.stderr
    assert said in done.stderr
    assert apps.commits_or_zero() == 0 and not github.comments and not github.deployments


def test_github_denying_still_lands_the_deploy_and_exits_1(apps: Apps, github: FakeGitHub) -> None:
    github.pull(4)
    github.deny = 403
    done = apps.deploy(4, sha(1))
    assert done.returncode == 1
    assert "telling the pull request failed" in done.stderr and "HTTP 403" in done.stderr
    assert "overlays/ephemeral/pr-4/kustomization.yaml" in apps.files()


def test_github_unreachable_still_lands_the_deploy_and_exits_1(apps: Apps) -> None:
    apps.env.update({"GITHUB_TOKEN": TOKEN, "WILDSIDE_APPS_GITHUB_API_URL": "http://127.0.0.1:9"})
    done = apps.deploy(4, sha(1))
    assert done.returncode == 1
    assert "telling the pull request failed" in done.stderr
    assert "overlays/ephemeral/pr-4/kustomization.yaml" in apps.files()


def test_gc_removes_closed_and_stale_previews_and_keeps_open_and_kept_ones(
    apps: Apps, github: FakeGitHub
) -> None:
    old = {"WILDSIDE_NOW": "2026-11-01T00:00:00Z"}
    recent = {"WILDSIDE_NOW": "2026-11-09T00:00:00Z"}
    cases = {1: ("closed", old), 2: ("open", old), 3: ("open", old), 4: ("open", recent)}
    for number, (_state, when) in cases.items():
        github.pull(number)
        done = apps.run(
            "deploy", "--pr", str(number), "--sha", sha(number), *images(sha(number)), env=when
        )
        assert done.returncode == 0, done.stderr
    github.pull(1, state="closed")
    github.pull(3, labels=("preview", "preview:keep"))
    swept = apps.run("gc", env={"WILDSIDE_NOW": "2026-11-10T00:00:00Z"})
    assert swept.returncode == 0, swept.stderr
    left = {p.split("/")[2] for p in apps.files() if p.startswith("overlays/ephemeral/pr-")}
    assert left == {"pr-3", "pr-4"}
    assert "pr-1: the pull request is closed" in swept.stderr
    assert "pr-2: not updated for 7d" in swept.stderr
    assert github.latest_status("wildside-pr-1")["state"] == "inactive"
    again = apps.run("gc", env={"WILDSIDE_NOW": "2026-11-10T00:00:00Z"})
    assert again.returncode == 0 and "nothing to collect" in again.stderr


def test_the_token_never_reaches_a_file_a_commit_or_a_log(apps: Apps, github: FakeGitHub) -> None:
    github.pull(6)
    assert apps.deploy(6, sha(1)).returncode == 0
    assert apps.run("teardown", "--pr", "6").returncode == 0
    github.deny = 401
    apps.deploy(6, sha(2))
    history = (
        __import__("subprocess")
        .run(["git", "-C", str(apps.remote), "log", "-p", "--all"], capture_output=True, text=True)
        .stdout
    )
    assert TOKEN not in history
    assert all(TOKEN not in log for log in apps.logs)
    for path in apps.root.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path
