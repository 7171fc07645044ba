"""``gitops.auth = "ssh"``: what the configuration accepts, what it refuses and why."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from app.stack_settings import flux_source
from tests.support import EXAMPLE, example_with, problems_of, write_config
from wildside_constructs.cluster.git_ssh import bundled_known_hosts, ssh_target

# A host key made up for these tests (any valid ed25519 public key will do).
GHE_HOSTS = (
    "git.example.com ssh-ed25519 "
    "AAAAC3NzaC1lZDI1NTE5AAAAIIw7QYxopC9OYJlWbz6xkaq83kbuaXObfN7Xuu5IEG9+\n"
)


def ssh(**gitops: object) -> dict[str, object]:
    return {"gitops": {"auth": "ssh", **gitops}}


def test_https_stays_the_default_and_unchanged() -> None:
    config = example_with()
    assert config.gitops.auth == "https"
    assert flux_source(config) == (config.gitops.repository_url, "")


@pytest.mark.parametrize(
    ("url", "flux_url"),
    [
        (
            "https://github.com/example/wildside-gitops.git",
            "ssh://git@github.com/example/wildside-gitops.git",
        ),
        (
            "git@github.com:example/wildside-gitops.git",
            "ssh://git@github.com/example/wildside-gitops.git",
        ),
        ("ssh://git@github.com/example/gitops", "ssh://git@github.com/example/gitops"),
        ("ssh://github.com/example/gitops.git", "ssh://git@github.com/example/gitops.git"),
    ],
)
def test_ssh_url_is_taken_or_derived(url: str, flux_url: str) -> None:
    config = example_with(ssh(repository_url=url))
    got_url, known_hosts = flux_source(config)
    assert got_url == flux_url
    # github.com: the shipped host keys, one line per published key.
    assert known_hosts.splitlines() == bundled_known_hosts(ssh_target(url)).splitlines()  # type: ignore[arg-type]
    assert [line.split()[1] for line in known_hosts.splitlines()] == [
        "ssh-ed25519",
        "ecdsa-sha2-nistp256",
        "ssh-rsa",
    ]


def test_an_enterprise_host_with_its_own_known_hosts_is_accepted() -> None:
    config = example_with(
        ssh(repository_url="https://git.example.com/platform/gitops.git", known_hosts=GHE_HOSTS)
    )
    assert flux_source(config) == ("ssh://git@git.example.com/platform/gitops.git", GHE_HOSTS)


def test_a_non_default_port_is_kept_and_known_hosts_must_name_it() -> None:
    url = "ssh://git@git.example.com:2222/platform/gitops.git"
    problems = problems_of(ssh(repository_url=url, known_hosts=GHE_HOSTS))
    assert "[git.example.com]:2222" in problems["gitops.known_hosts"]
    hosts = GHE_HOSTS.replace("git.example.com", "[git.example.com]:2222")
    assert flux_source(example_with(ssh(repository_url=url, known_hosts=hosts)))[0] == url


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        (
            ssh(repository_url="ssh://git@github.com:99999/example/gitops.git"),
            "gitops.repository_url",
            "ssh://git@HOST",
        ),
        (ssh(repository_url="https://github.com/"), "gitops.repository_url", "no SSH form"),
        (
            ssh(repository_url="https://git.example.com/platform/gitops.git"),
            "gitops.known_hosts",
            "ssh-keyscan -p 22 git.example.com",
        ),
        (ssh(known_hosts="not a host key line"), "gitops.known_hosts", "HOST KEYTYPE BASE64KEY"),
        (ssh(known_hosts="github.com ssh-ed25519 not*base64"), "gitops.known_hosts", "base64"),
        (ssh(known_hosts=GHE_HOSTS), "gitops.known_hosts", "no line for github.com"),
        (ssh(deploy_key_vault_path="wildside/../x"), "gitops.deploy_key_vault_path", "'..'"),
        ({"gitops": {"auth": "ftp"}}, "gitops.auth", "https"),
        (
            {"gitops": {"repository_url": "ssh://git@github.com/example/gitops.git"}},
            "gitops.repository_url",
            'gitops.auth = "ssh"',
        ),
    ],
)
def test_bad_ssh_settings_name_the_field_and_the_fix(
    overrides: dict[str, object], field: str, words: str
) -> None:
    problems = problems_of(overrides)
    assert field in problems, problems
    assert words in problems[field]


def test_environment_selects_ssh() -> None:
    config = example_with(env={"WILDSIDE_GITOPS_AUTH": "ssh"})
    assert config.gitops.auth == "ssh"
    assert "gitops.auth" in problems_of({}, {"WILDSIDE_GITOPS_AUTH": "SSH!"})


def test_without_the_bootstrap_ssh_settings_are_not_checked() -> None:
    config = example_with(
        {
            "gitops": {"auth": "ssh", "repository_url": "https://github.com/"},
            "flux": {"bootstrap": False},
        }
    )
    assert config.gitops.auth == "ssh"


def test_cli_refuses_a_bad_ssh_config_with_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = EXAMPLE.read_text().replace(
        'repository_url = "https://github.com/example/wildside-infra.git"',
        'repository_url = "https://git.example.com/example/wildside-infra.git"\nauth = "ssh"',
    )
    assert 'auth = "ssh"' in text
    monkeypatch.setenv("WILDSIDE_CONFIG", str(write_config(tmp_path, text)))
    assert main(["config"]) == 2
    err = capsys.readouterr().err
    assert "gitops.known_hosts" in err
    assert "Traceback" not in err
