"""``wildside gitops bootstrap`` against a fake GitHub API and a fake Vault, both on loopback."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from github import Auth, Github

from tests.fakes.fake_github_repos import SSH_KEYS, FakeGitHub
from tests.fakes.fake_vault import ROLE_ID, SECRET_ID, FakeVault
from wildside_ops.repo_bootstrap import BootstrapError, BootstrapRequest, bootstrap
from wildside_ops.repo_bootstrap.deploy_key import generate, public_of
from wildside_ops.repo_bootstrap.model import parse_repository
from wildside_ops.vault import VaultClient, VaultSettings

REQUEST = BootstrapRequest(owner="wildside", name="gitops")
KEY_PATH = "wildside/gitops/wildside/gitops/deploy-key"


@pytest.fixture
def github_api() -> Iterator[FakeGitHub]:
    with FakeGitHub().running() as fake:
        yield fake


@pytest.fixture
def vault() -> Iterator[VaultClient]:
    with FakeVault().running() as fake:
        settings = VaultSettings(fake.url, ROLE_ID, SECRET_ID, timeout=5, backoff_base=0)
        with VaultClient.login(settings) as client:
            yield client


def _github(fake: FakeGitHub, token: str = "ghp_test") -> Github:  # noqa: S107 - any token suits the fake
    # No pacing against the fake (production keeps PyGithub's write spacing).
    return Github(
        auth=Auth.Token(token),
        base_url=fake.url,
        retry=None,
        seconds_between_requests=0,
        seconds_between_writes=0,
    )


def _run(fake: FakeGitHub, vault: VaultClient, request: BootstrapRequest = REQUEST) -> list[Any]:
    lines: list[str] = []
    return bootstrap(_github(fake), vault, request, lines.append)


def test_from_nothing_then_a_rerun_writes_nothing(
    github_api: FakeGitHub, vault: VaultClient
) -> None:
    steps = _run(github_api, vault)
    assert [s.name for s in steps if s.changed] == [
        "repository",
        "layout",
        "deploy key",
        "branch protection",
    ]
    repo = github_api.repos["wildside/gitops"]
    assert repo.private is True
    assert {"README.md", ".github/workflows/validate.yml"} <= set(repo.files)
    [key] = repo.keys.values()
    assert key["read_only"] is True
    stored = vault.read_kv(KEY_PATH).data
    assert public_of(stored["identity"]).split()[:2] == key["key"].split()
    assert stored["known_hosts"] == f"127.0.0.1 {SSH_KEYS[0]}\n"
    assert repo.protection is not None
    assert repo.protection["required_status_checks"] == {"strict": True, "contexts": ["validate"]}
    assert repo.protection["allow_deletions"] is False
    assert repo.protection["enforce_admins"] is False  # the publisher pushes as an admin
    writes = len(github_api.writes)
    version = vault.read_kv(KEY_PATH).version
    again = _run(github_api, vault)
    assert [s for s in again if s.changed] == []
    assert len(github_api.writes) == writes, github_api.writes[writes:]
    assert vault.read_kv(KEY_PATH).version == version


def test_drift_is_repaired_and_only_drift(github_api: FakeGitHub, vault: VaultClient) -> None:
    _run(github_api, vault)
    repo = github_api.repos["wildside/gitops"]
    repo.protection = {**(repo.protection or {}), "allow_deletions": True}
    del repo.files[".github/workflows/validate.yml"]
    before = len(github_api.writes)
    steps = {s.name: s for s in _run(github_api, vault)}
    assert (
        steps["branch protection"].changed
        and "allow_deletions" in steps["branch protection"].detail
    )
    assert steps["layout"].changed and not steps["deploy key"].changed
    assert repo.protection["allow_deletions"] is False
    assert ".github/workflows/validate.yml" in repo.files
    assert [m for m, _p in github_api.writes[before:]] == ["PUT", "PUT"]


def test_a_protection_removed_by_hand_is_restored(
    github_api: FakeGitHub, vault: VaultClient
) -> None:
    _run(github_api, vault)
    github_api.repos["wildside/gitops"].protection = None
    steps = {s.name: s for s in _run(github_api, vault)}
    assert steps["branch protection"].changed
    assert github_api.repos["wildside/gitops"].protection is not None


def test_check_mode_reports_drift_and_writes_nothing(
    github_api: FakeGitHub, vault: VaultClient
) -> None:
    checked = _run(github_api, vault, BootstrapRequest("wildside", "gitops", check_only=True))
    assert all(step.changed for step in checked)
    assert github_api.writes == [] and github_api.repos == {}
    assert vault.read_kv_optional(KEY_PATH) is None


def test_a_lost_vault_key_is_replaced_on_github_too(
    github_api: FakeGitHub, vault: VaultClient
) -> None:
    _run(github_api, vault)
    old = next(iter(github_api.repos["wildside/gitops"].keys.values()))["key"]
    stored = vault.read_kv(KEY_PATH)
    replacement = generate("x")
    vault.write_kv(KEY_PATH, {**stored.data, "identity": replacement.private}, cas=stored.version)
    _run(github_api, vault)
    [key] = github_api.repos["wildside/gitops"].keys.values()
    assert key["key"] != old
    assert key["key"].split() == replacement.public.split()[:2]


def test_rotation_replaces_the_key_in_vault_and_on_github(
    github_api: FakeGitHub, vault: VaultClient
) -> None:
    from dataclasses import replace

    _run(github_api, vault)
    before = vault.read_kv(KEY_PATH)
    steps = _run(github_api, vault, replace(REQUEST, rotate_key=True))
    after = vault.read_kv(KEY_PATH)
    # A new version: the next deploy sees it and re-sends the key to Flux.
    assert after.version == before.version + 1
    assert after.data["identity"] != before.data["identity"]
    [key] = github_api.repos["wildside/gitops"].keys.values()
    assert key["read_only"] is True
    assert key["key"].split() == after.data["identity.pub"].split()[:2]
    assert "rotated it in Vault" in next(s.detail for s in steps if s.name == "deploy key")
    # Rotation is asked for, not repeated: a plain re-run changes nothing.
    assert [s for s in _run(github_api, vault) if s.changed] == []


def test_a_writable_deploy_key_is_refused(github_api: FakeGitHub, vault: VaultClient) -> None:
    _run(github_api, vault)
    [key] = github_api.repos["wildside/gitops"].keys.values()
    key["read_only"] = False
    with pytest.raises(BootstrapError, match="has write access") as caught:
        _run(github_api, vault)
    assert caught.value.exit_code == 2


def test_an_organisation_the_token_cannot_create_in(
    github_api: FakeGitHub, vault: VaultClient
) -> None:
    with pytest.raises(
        BootstrapError, match="permission to create repositories in elsewhere"
    ) as caught:
        _run(github_api, vault, BootstrapRequest("elsewhere", "gitops"))
    assert caught.value.exit_code == 1
    assert github_api.repos == {}


def test_a_run_that_failed_half_way_is_completed(
    github_api: FakeGitHub, vault: VaultClient
) -> None:
    """The repository exists (a crash after creating it): the next run does the rest."""
    _run(github_api, vault)
    repo = github_api.repos["wildside/gitops"]
    repo.keys.clear()
    repo.protection = None
    steps = {s.name: s.changed for s in _run(github_api, vault)}
    assert steps == {
        "repository": False,
        "layout": False,
        "deploy key": True,
        "branch protection": True,
    }


def test_the_private_key_never_reaches_github_or_the_log(
    github_api: FakeGitHub, vault: VaultClient
) -> None:
    lines: list[str] = []
    bootstrap(_github(github_api), vault, REQUEST, lines.append)
    private = vault.read_kv(KEY_PATH).data["identity"]
    body = private.split("\n")[1]
    assert body not in "\n".join(lines)
    repo = github_api.repos["wildside/gitops"]
    assert all(body not in text for text in repo.files.values())
    assert all(body not in str(key) for key in repo.keys.values())


def test_an_app_installation_token_creates_in_the_organisation(
    github_api: FakeGitHub, vault: VaultClient
) -> None:
    """Installation tokens may not read /user (403): the organisation is asked first."""
    steps = bootstrap(_github(github_api, "ghs_installation"), vault, REQUEST, print)
    assert all(step.changed for step in steps)
    assert github_api.repos["wildside/gitops"].protection is not None


def test_a_repository_in_the_tokens_own_account(github_api: FakeGitHub, vault: VaultClient) -> None:
    _run(github_api, vault, BootstrapRequest(github_api.login, "gitops"))
    assert ("POST", "/user/repos") in github_api.writes
    assert github_api.repos[f"{github_api.login}/gitops"].keys


def test_a_new_repository_gets_the_requested_default_branch(
    github_api: FakeGitHub, vault: VaultClient
) -> None:
    request = BootstrapRequest("wildside", "gitops", branch="trunk")
    _run(github_api, vault, request)
    repo = github_api.repos["wildside/gitops"]
    assert repo.default_branch == "trunk" and repo.protection is not None
    before = len(github_api.writes)
    assert not any(step.changed for step in _run(github_api, vault, request))
    assert len(github_api.writes) == before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("wildside/gitops", ("wildside", "gitops")),
        ("https://github.com/wildside/gitops.git", ("wildside", "gitops")),
        ("git@github.com:wildside/gitops.git", ("wildside", "gitops")),
        ("ssh://git@github.com/wildside/gitops", ("wildside", "gitops")),
    ],
)
def test_repository_names(text: str, expected: tuple[str, str]) -> None:
    assert parse_repository(text) == expected


@pytest.mark.parametrize("text", ["", "gitops", "a/b/c", "-x/y", "https://github.com/"])
def test_bad_repository_names_are_input_errors(text: str) -> None:
    with pytest.raises(BootstrapError, match="--repository") as caught:
        parse_repository(text)
    assert caught.value.exit_code == 2


def _validate_script() -> str:
    from wildside_ops.repo_bootstrap.model import BootstrapRequest
    from wildside_ops.repo_bootstrap.seed import seed_files

    files = seed_files(BootstrapRequest(owner="o", name="n"))
    workflow = yaml.safe_load(files[".github/workflows/validate.yml"])
    (job,) = workflow["jobs"].values()
    return str(job["steps"][-1]["run"])


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not on PATH")
def test_the_seeded_check_waits_for_promotion_but_fails_a_broken_folder(tmp_path: Path) -> None:
    """The required check runs `kubectl kustomize` on every folder, as the seed ships it."""
    script = _validate_script()
    tree = {
        "platform/sources/charts/kustomization.yaml": "resources: [repo.yaml]\n",
        "platform/sources/charts/repo.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n"
        "  name: charts\n",
        "clusters/stg/sources/kustomization.yaml": "resources:\n"
        "- ../../../environments/staging/platform/sources/charts\n",
    }
    for path, text in tree.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)

    def check() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, check=False
        )

    waiting = check()
    assert waiting.returncode == 0, waiting.stdout + waiting.stderr
    assert "::warning file=./clusters/stg/sources/kustomization.yaml::awaits promotion" in (
        waiting.stdout
    )
    shutil.copytree(tmp_path / "platform", tmp_path / "environments/staging/platform")
    promoted = check()
    assert promoted.returncode == 0 and "::warning" not in promoted.stdout, promoted.stdout
    (tmp_path / "platform/sources/charts/kustomization.yaml").write_text("resources: [gone.yaml]\n")
    broken = check()
    assert broken.returncode == 1
    assert "::error file=./platform/sources/charts/kustomization.yaml::does not build" in (
        broken.stdout
    )
