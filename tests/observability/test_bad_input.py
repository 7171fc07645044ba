"""Bad observability configuration: exit code 2, the field and the fix, nothing written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_app
from tests.platform.datastore_helpers import render
from tests.support import EXAMPLE, problems_of, write_config

SLACK = {"name": "oncall", "type": "slack", "vault_path": "a/b", "channel": "#oncall"}


@pytest.mark.parametrize(
    ("overrides", "env", "field", "says"),
    [
        (
            {"observability": {"alerting": {"receivers": [{**SLACK, "type": "pagerduty"}]}}},
            {},
            "observability.alerting.receivers[0].type",
            "must be one of 'webhook', 'slack', 'email'",
        ),
        (
            {"observability": {"alerting": {"receivers": [{**SLACK, "vault_path": ""}]}}},
            {},
            "observability.alerting.receivers[0].vault_path",
            "is required",
        ),
        (
            {"observability": {"prometheus": {"retention": "10 days"}}},
            {},
            "observability.prometheus.retention",
            "is not a duration",
        ),
        (
            {"observability": {"prometheus": {"retention_size": "4 gigs"}}},
            {},
            "observability.prometheus.retention_size",
            "is not a size in bytes",
        ),
        (
            {"observability": {"prometheus": {"storage_size": "5GB!"}}},
            {},
            "observability.prometheus.storage_size",
            "is not a Kubernetes quantity",
        ),
        (
            {"observability": {"traces": {"endpoint": "http://tempo.example.com:4317"}}},
            {},
            "observability.traces.endpoint",
            "use https://",
        ),
        (
            {
                "observability": {
                    "traces": {"endpoint": "http://tempo.tracing.svc:4317"},
                }
            },
            {},
            "observability.traces.endpoint",
            "allow_insecure_in_cluster = true",
        ),
        (
            {"observability": {"alerting": {"mode": "page"}}},
            {},
            "observability.alerting.page_receiver",
            "is required when mode = 'page'",
        ),
        (
            {},
            {"WILDSIDE_ENABLE_VAULT_ESO": "false"},
            "components.vault_eso",
            "observability needs it",
        ),
        (
            {},
            {"WILDSIDE_ENABLE_TRAEFIK": "false"},
            "components.traefik",
            "observability needs it",
        ),
    ],
)
def test_each_problem_names_the_field_and_the_fix(
    overrides: dict[str, Any], env: dict[str, str], field: str, says: str
) -> None:
    problems = problems_of(overrides, env)
    assert field in problems, problems
    assert says in problems[field]


def test_an_in_cluster_http_endpoint_is_allowed_when_asked_for() -> None:
    traces = {"endpoint": "http://tempo.tracing.svc:4317", "allow_insecure_in_cluster": True}
    stack = render({"observability": {"traces": traces}}, schemas=False)
    assert stack.components["observability"].contract()["traces_exported"] is True


def test_the_cli_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace('retention = "10d"', 'retention = "ten days"')
    text = text.replace(
        'endpoint = ""\nallow_insecure', 'endpoint = "http://x.example.com"\nallow_insecure'
    )
    outdir, gitops = tmp_path / "out", tmp_path / "gitops"
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "WILDSIDE_CONFIG": str(write_config(tmp_path, text)),
        "WILDSIDE_GITOPS_DIR": str(gitops),
    }
    run = run_app(["render", "--outdir", str(outdir)], env, timeout=120)
    assert run.returncode == 2, run.stderr
    assert "observability.prometheus.retention: 'ten days' is not a duration" in run.stderr
    assert "observability.traces.endpoint" in run.stderr
    assert "Traceback" not in run.stderr
    assert not outdir.exists()
    assert not gitops.exists()
