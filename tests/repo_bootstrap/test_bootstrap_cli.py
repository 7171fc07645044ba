"""``wildside gitops bootstrap`` as a user runs it: exit codes and what it prints."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from github import Auth, Github

from app.cli import build_parser, main
from tests.fakes.fake_github_repos import FakeGitHub
from tests.fakes.fake_vault import ROLE_ID, SECRET_ID, FakeVault
from wildside_ops.repo_bootstrap import BootstrapRequest, bootstrap
from wildside_ops.repo_bootstrap.cli import _request
from wildside_ops.repo_bootstrap.report import web_url
from wildside_ops.vault import VaultClient, VaultSettings


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitHub]:
    with FakeGitHub().running() as github, FakeVault().running() as vault:
        for name, value in {
            "GITHUB_TOKEN": "ghp_cli_test",
            "GITHUB_API_URL": github.url,
            "VAULT_ADDR": vault.url,
            "VAULT_ROLE_ID": ROLE_ID,
            "VAULT_SECRET_ID": SECRET_ID,
        }.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("WILDSIDE_CONFIG", raising=False)
        yield github


def test_check_reports_drift_then_passes_once_bootstrapped(
    world: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["gitops", "bootstrap", "--repository", "wildside/gitops", "--check"]
    assert main(args) == 2
    out = capsys.readouterr()
    assert "4 of 4 checks found drift" in out.out + out.err
    assert world.writes == []
    # Bootstrap through the library (PyGithub's one-second write pacing would
    # make the CLI slow here), then the CLI's check agrees nothing drifted.
    vault = VaultClient.login(VaultSettings.from_env())
    github = Github(
        auth=Auth.Token("ghp_cli_test"),
        base_url=world.url,
        seconds_between_requests=0,
        seconds_between_writes=0,
    )
    with vault:
        bootstrap(github, vault, BootstrapRequest("wildside", "gitops"), print)
    writes = len(world.writes)
    assert main(args) == 0
    assert len(world.writes) == writes


def test_missing_token_is_bad_input(world: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")
    assert main(["gitops", "bootstrap", "--repository", "wildside/gitops"]) == 2
    assert world.writes == []


def test_a_refusing_organisation_is_exit_1(world: FakeGitHub) -> None:
    assert main(["gitops", "bootstrap", "--repository", "someone-else/gitops"]) == 1
    assert world.repos == {}


def test_a_check_flag_that_is_not_a_boolean_is_bad_input(
    world: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["gitops", "bootstrap", "--repository", "wildside/gitops", "--check=maybe"])
    assert caught.value.code == 2
    assert "--check: expected true or false, not 'maybe'" in capsys.readouterr().err
    assert world.writes == []


def test_a_vault_ca_that_is_not_pem_is_bad_input(
    world: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["gitops", "bootstrap", "--repository=wildside/gitops", "--vault-ca-certificate=x"]
    assert main(args) == 2
    out = capsys.readouterr()
    assert "vault_ca_certificate is neither PEM" in out.out + out.err
    assert world.writes == [] and world.repos == {}


def test_blank_required_checks_are_bad_input(
    world: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["gitops", "bootstrap", "--repository=wildside/gitops", "--required-check= \n"]
    assert main(args) == 2
    assert "--required-check: no status check named" in capsys.readouterr().err
    assert world.writes == []


@pytest.mark.parametrize(
    ("api", "url"),
    [
        ("https://api.github.com", "https://github.com/o/n"),
        ("https://ghe.example.com/api/v3/", "https://ghe.example.com/o/n"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/o/n"),
    ],
)
def test_the_repository_url_output_is_the_web_address(api: str, url: str) -> None:
    assert web_url(api, "o/n") == url


@pytest.mark.parametrize(
    ("repository", "path"),
    [
        (None, "team/flux-key"),
        ("Example/Wildside-Infra", "team/flux-key"),  # GitHub compares names without case
        ("example/other", "wildside/gitops/example/other/deploy-key"),
    ],
)
def test_the_configured_key_path_belongs_to_the_configured_repository_only(
    monkeypatch: pytest.MonkeyPatch, repository: str | None, path: str
) -> None:
    # Another repository's bootstrap must never read or replace the configured one's key.
    monkeypatch.delenv("WILDSIDE_CONFIG", raising=False)
    monkeypatch.setenv("WILDSIDE_GITOPS_DEPLOY_KEY_VAULT_PATH", "team/flux-key")
    words = ["gitops", "bootstrap", *(["--repository", repository] if repository else [])]
    request = _request(build_parser().parse_args(words))
    assert request.key_vault_path == path
