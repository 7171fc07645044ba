"""The Alertmanager configuration: receivers and routes per environment.

Secrets never enter the configuration: each receiver reads its secret from a
file the ExternalSecret ``alertmanager-receivers`` fills from Vault and the
Alertmanager pod mounts (``alertmanagerSpec.secrets``) under
``/etc/alertmanager/secrets/alertmanager-receivers/<receiver name>``.
"""

from __future__ import annotations

from typing import Any

from wildside_constructs.settings.observability import AlertingSettings, Receiver

RECEIVER_SECRET = "alertmanager-receivers"  # noqa: S105 - a Secret name
SECRET_DIR = f"/etc/alertmanager/secrets/{RECEIVER_SECRET}"
# Alertmanager keeps every alert in its UI and API; this receiver sends nothing.
RECORD_ONLY = "record-only"


def _receiver(receiver: Receiver) -> dict[str, Any]:
    secret = f"{SECRET_DIR}/{receiver.name}"
    if receiver.type == "slack":
        config: dict[str, Any] = {
            "slack_configs": [
                {"api_url_file": secret, "channel": receiver.channel, "send_resolved": True}
            ]
        }
    elif receiver.type == "email":
        email: dict[str, Any] = {
            "to": receiver.to,
            "from": receiver.sender,
            "smarthost": receiver.smarthost,
            "auth_password_file": secret,
            "send_resolved": True,
        }
        if receiver.username:
            email["auth_username"] = receiver.username
        config = {"email_configs": [email]}
    else:
        config = {
            "webhook_configs": [
                {
                    "url": receiver.url,
                    "http_config": {"authorization": {"credentials_file": secret}},
                    "send_resolved": True,
                }
            ]
        }
    return {"name": receiver.name, **config}


def alertmanager_config(alerting: AlertingSettings, environment: str) -> dict[str, Any]:
    """Production (or mode = page) pages critical alerts; otherwise only records."""
    default = alerting.record_receiver or RECORD_ONLY
    routes: list[dict[str, Any]] = [
        # kube-prometheus-stack's always-firing heartbeat and info inhibitor.
        {"receiver": RECORD_ONLY, "matchers": ['alertname =~ "Watchdog|InfoInhibitor"']},
    ]
    if alerting.pages(environment):
        routes.append({"receiver": alerting.page_receiver, "matchers": ['severity = "critical"']})
    return {
        "route": {
            "receiver": default,
            "group_by": ["alertname", "namespace", "component"],
            "group_wait": "30s",
            "group_interval": "5m",
            "repeat_interval": "4h",
            "routes": routes,
        },
        "inhibit_rules": [
            {
                # A critical alert silences the warning of the same name and place.
                "source_matchers": ['severity = "critical"'],
                "target_matchers": ['severity = "warning"'],
                "equal": ["alertname", "namespace"],
            }
        ],
        "receivers": [{"name": RECORD_ONLY}, *(_receiver(r) for r in alerting.receivers)],
    }


def receiver_secret_data(alerting: AlertingSettings) -> list[tuple[str, str, str]]:
    """(Secret key, Vault path, property) for the ExternalSecret."""
    return [(r.name, r.vault_path, r.vault_property) for r in alerting.receivers]
