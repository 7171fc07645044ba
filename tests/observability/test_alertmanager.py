"""The rendered Alertmanager configuration, checked and routed by the real amtool."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.observability.promtools import run, write_yaml
from wildside_constructs.observability.alertmanager import RECORD_ONLY, alertmanager_config
from wildside_constructs.settings.observability import AlertingSettings, Receiver

RECEIVERS = (
    Receiver(name="oncall", type="slack", vault_path="wildside/prod/alerting/slack",
             channel="#oncall"),
    Receiver(
        name="team-mail",
        type="email",
        vault_path="wildside/prod/alerting/smtp",
        to="platform@example.com",
        sender="alerts@example.com",
        smarthost="smtp.example.com:587",
        username="alerts",
    ),
    Receiver(name="hook", type="webhook", vault_path="wildside/prod/alerting/hook",
             url="https://hooks.example.com/alerts"),
)  # fmt: skip
AUTO = AlertingSettings(page_receiver="oncall", record_receiver="team-mail", receivers=RECEIVERS)


def routed(tmp_path: Path, alerting: AlertingSettings, environment: str, *labels: str) -> str:
    write_yaml(tmp_path / "alertmanager.yaml", alertmanager_config(alerting, environment))
    done = run(
        "amtool", "config", "routes", "test", "--config.file=alertmanager.yaml", *labels,
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize(
    ("alerting", "environment"),
    [
        (AUTO, "production"),
        (AUTO, "sandbox"),
        (AlertingSettings(), "production"),
        (AlertingSettings(mode="page", page_receiver="hook", receivers=RECEIVERS), "dev"),
    ],
)
def test_amtool_accepts_the_rendered_config(
    alerting: AlertingSettings, environment: str, tmp_path: Path
) -> None:
    write_yaml(tmp_path / "alertmanager.yaml", alertmanager_config(alerting, environment))
    done = run("amtool", "check-config", "alertmanager.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout


def test_amtool_rejects_a_broken_config(tmp_path: Path) -> None:
    config = alertmanager_config(AUTO, "production")
    config["route"]["receiver"] = "nobody"
    write_yaml(tmp_path / "alertmanager.yaml", config)
    done = run("amtool", "check-config", "alertmanager.yaml", cwd=tmp_path)
    assert done.returncode != 0


def test_production_pages_critical_and_records_the_rest(tmp_path: Path) -> None:
    assert routed(tmp_path, AUTO, "production", "severity=critical", "alertname=X") == "oncall"
    assert routed(tmp_path, AUTO, "production", "severity=warning", "alertname=X") == "team-mail"


def test_sandbox_only_records_even_critical(tmp_path: Path) -> None:
    assert routed(tmp_path, AUTO, "sandbox", "severity=critical", "alertname=X") == "team-mail"
    bare = AlertingSettings()
    assert routed(tmp_path, bare, "sandbox", "severity=critical", "alertname=X") == RECORD_ONLY


def test_watchdog_never_pages(tmp_path: Path) -> None:
    assert routed(tmp_path, AUTO, "production", "severity=critical", "alertname=Watchdog") == (
        RECORD_ONLY
    )


def test_no_secret_is_inline() -> None:
    text = repr(alertmanager_config(AUTO, "production"))
    assert "api_url'" not in text and "auth_password'" not in text
    assert text.count("/etc/alertmanager/secrets/alertmanager-receivers/") == 3
