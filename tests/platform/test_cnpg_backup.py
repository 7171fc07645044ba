"""cnpg: S3 backups, their credentials by reference only, and every folder variant."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from app.runtime import PROJECT_ROOT
from tests.conftest import run_app
from tests.platform.datastore_helpers import (
    BACKUP,
    NO_VAULT,
    applied,
    assert_folders_build,
    depends_on,
    documents_of_kind,
    render,
    unit_folder,
    units_of,
)
from tests.support import NO_SCHEMAS_REASON, SCHEMAS, all_units, problems_of, synth_json
from wildside_constructs.settings.schedule import schedule_problems
from wildside_constructs.settings.vault import SECRET_STORE_UNIT
from wildside_constructs.validation.tree import schema_problems

CLUSTER = "cluster.yaml"
SCHEDULED = "scheduledbackup.yaml"
STORE = "objectstore.yaml"
USER_SECRET = {**BACKUP, "existing_secret": "spaces-keys"}
SECRETS = {"source": "secret", "superuser_secret": "pg-admin", "app_secret": "pg-app"}
# One configuration per folder variant of platform/databases.
VARIANTS: list[tuple[dict[str, Any], dict[str, str]]] = [
    ({}, {}),
    ({}, NO_VAULT),
    ({"cnpg": {"backup": BACKUP}}, {}),
    ({"cnpg": {"instances": 1, "backup": USER_SECRET}}, NO_VAULT),
    ({"cnpg": {"credentials": SECRETS, "backup": USER_SECRET}}, {}),
]


def test_without_backups_there_is_no_schedule_and_no_object_store() -> None:
    stack = render()
    assert documents_of_kind(stack, "ScheduledBackup") == {}
    assert "backup" not in applied(stack, "cnpg-cluster", CLUSTER)["spec"]
    assert not [name for name in units_of(stack, "cnpg") if "backup" in name]
    assert not [name for name in stack.components["cnpg"].units if "backup" in name.folder]
    contract = stack.components["cnpg"].contract()
    assert (contract["backup_enabled"], contract["backup_destination"]) == (False, "")


def test_vault_clusters_back_up_with_keys_from_vault() -> None:
    stack = render({"cnpg": {"backup": {**BACKUP, "schedule": "0 30 2 * * *"}}})
    assert unit_folder(stack, "cnpg-cluster") == "platform/databases/cluster-referenced-backup"
    assert unit_folder(stack, "cnpg-backup-credentials") == (
        "platform/databases/backup-credentials-vault"
    )
    assert depends_on(stack, "cnpg-backup-credentials") == ["cnpg", SECRET_STORE_UNIT]
    assert depends_on(stack, "cnpg-cluster") == [
        "cnpg",
        "cnpg-credentials",
        "cnpg-backup-credentials",
        "cnpg-barman-cloud",
    ]
    # The plugin, pinned, in the operator's namespace, after cert-manager.
    assert unit_folder(stack, "cnpg-barman-cloud") == "platform/databases/barman-cloud"
    assert depends_on(stack, "cnpg-barman-cloud") == ["sources", "cnpg", "cert-manager"]
    plugin = applied(stack, "cnpg-barman-cloud", "helmrelease.yaml")
    assert plugin["metadata"]["namespace"] == "cnpg-system"
    assert plugin["spec"]["chart"]["spec"]["chart"] == "plugin-barman-cloud"
    assert plugin["spec"]["chart"]["spec"]["version"] == "0.7.0"
    keys = applied(stack, "cnpg-backup-credentials", "externalsecret.yaml")
    assert keys["apiVersion"] == "external-secrets.io/v1"
    assert keys["spec"]["target"]["name"] == "wildside-pg-main-backup-s3"
    path = "wildside/dev/cnpg/backup"
    assert keys["spec"]["data"] == [
        {"secretKey": "ACCESS_KEY_ID", "remoteRef": {"key": path, "property": "access_key_id"}},
        {
            "secretKey": "ACCESS_SECRET_KEY",
            "remoteRef": {"key": path, "property": "secret_access_key"},
        },
    ]
    cluster = applied(stack, "cnpg-cluster", CLUSTER)["spec"]
    # Through the Barman Cloud plugin, not the deprecated in-tree integration.
    assert "backup" not in cluster
    assert cluster["plugins"] == [
        {
            "name": "barman-cloud.cloudnative-pg.io",
            "isWALArchiver": True,
            "parameters": {"barmanObjectName": "wildside-pg-main-backup"},
        }
    ]
    object_store = applied(stack, "cnpg-cluster", STORE)
    assert object_store["apiVersion"] == "barmancloud.cnpg.io/v1"
    assert object_store["metadata"]["name"] == "wildside-pg-main-backup"
    assert object_store["spec"]["retentionPolicy"] == "30d"
    store = object_store["spec"]["configuration"]
    assert store["destinationPath"] == "s3://wildside-backups/wildside/dev/cnpg"
    assert store["endpointURL"] == "https://nyc3.digitaloceanspaces.com"
    assert store["s3Credentials"] == {
        "accessKeyId": {"name": "wildside-pg-main-backup-s3", "key": "ACCESS_KEY_ID"},
        "secretAccessKey": {"name": "wildside-pg-main-backup-s3", "key": "ACCESS_SECRET_KEY"},
    }
    scheduled = applied(stack, "cnpg-cluster", SCHEDULED)
    assert scheduled["metadata"]["namespace"] == "databases"
    assert scheduled["spec"] == {
        "schedule": "0 30 2 * * *",
        "cluster": {"name": "wildside-pg-main"},
        "method": "plugin",
        "pluginConfiguration": {"name": "barman-cloud.cloudnative-pg.io"},
        "immediate": True,
        "backupOwnerReference": "self",
    }
    contract = synth_json(stack)["output"]["cnpg_contract"]["value"]
    assert contract["backup_enabled"] is True
    assert contract["backup_destination"] == "s3://wildside-backups/wildside/dev/cnpg"
    assert contract["backup_schedule"] == "0 30 2 * * *"


@pytest.mark.parametrize("env", [{}, NO_VAULT])
def test_a_named_secret_replaces_the_external_secret(env: dict[str, str]) -> None:
    settings = {
        **USER_SECRET,
        "access_key_id_key": "key-id",
        "secret_access_key_key": "key-secret",
        "path": "pg/${cluster_name}",
    }
    stack = render({"cnpg": {"backup": settings}}, env)
    assert "cnpg-backup-credentials" not in units_of(stack, "cnpg")
    store = applied(stack, "cnpg-cluster", STORE)["spec"]["configuration"]
    assert store["s3Credentials"] == {
        "accessKeyId": {"name": "spaces-keys", "key": "key-id"},
        "secretAccessKey": {"name": "spaces-keys", "key": "key-secret"},
    }
    assert store["destinationPath"] == "s3://wildside-backups/pg/dev"
    assert SCHEDULED in stack.components["cnpg"].units[-1].documents


def test_no_key_material_is_rendered_anywhere() -> None:
    for overrides, env in VARIANTS:
        stack = render(overrides, env, schemas=False)
        assert documents_of_kind(stack, "Secret") == {}
        for path, secret in documents_of_kind(stack, "ExternalSecret").items():
            if not path.startswith("platform/databases/"):
                continue
            # Values come from Vault; a template only places them (and a user name).
            template = secret["spec"]["target"].get("template", {}).get("data", {})
            assert template.get("password", "{{ .password }}") == "{{ .password }}", path
            assert set(template) <= {"username", "password"}, path


def test_backups_without_vault_need_a_named_secret() -> None:
    problems = problems_of({"cnpg": {"backup": BACKUP}}, NO_VAULT)
    message = problems["components.vault_eso"]
    assert "cnpg.backup.existing_secret" in message
    assert "S3 key pair" in message
    # Naming the Secret is the other way out.
    render({"cnpg": {"backup": USER_SECRET}}, NO_VAULT, schemas=False)


def test_backups_need_cert_manager_for_the_plugin() -> None:
    off = {
        "WILDSIDE_ENABLE_CERT_MANAGER": "false",
        "WILDSIDE_ENABLE_RABBITMQ": "false",
        "WILDSIDE_ENABLE_OBSERVABILITY": "false",
    }
    problems = problems_of({"cnpg": {"backup": BACKUP}}, off)
    assert "Barman Cloud plugin" in problems["components.cert_manager"]


def test_the_cli_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    config = tmp_path / "wildside.toml"
    text = (PROJECT_ROOT / "app/config/example.toml").read_text(encoding="utf-8")
    text = text.replace("[cnpg.backup]\n", '[cnpg.backup]\nbucket = "wildside-backups"\n', 1)
    text = text.replace("enabled = false", "enabled = true", 1)
    config.write_text(text.replace('"0 0 0 * * *"', '"0 0 * * *"', 1), encoding="utf-8")
    outdir, gitops = tmp_path / "out", tmp_path / "gitops"
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "WILDSIDE_CONFIG": str(config),
        "WILDSIDE_GITOPS_DIR": str(gitops),
        "WILDSIDE_ENABLE_VAULT_ESO": "false",
        "WILDSIDE_ENABLE_OBSERVABILITY": "false",
    }
    run = run_app(["render", "--outdir", str(outdir)], env, timeout=120)
    assert run.returncode == 2, run.stderr + run.stdout
    for field in ("cnpg.backup.endpoint", "cnpg.backup.schedule", "components.vault_eso"):
        assert field in run.stderr
    assert not outdir.exists()
    assert not gitops.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"bucket": ""}, "cnpg.backup.bucket"),
        ({"bucket": "Wildside_Backups"}, "cnpg.backup.bucket"),
        ({"bucket": "ab"}, "cnpg.backup.bucket"),
        ({"bucket": "192.168.1.10"}, "cnpg.backup.bucket"),
        ({"bucket": "a..b"}, "cnpg.backup.bucket"),
        ({"endpoint": ""}, "cnpg.backup.endpoint"),
        ({"endpoint": "http://nyc3.digitaloceanspaces.com"}, "cnpg.backup.endpoint"),
        ({"endpoint": "https://user:pw@s3.example.com"}, "cnpg.backup.endpoint"),
        ({"path": "/absolute"}, "cnpg.backup.path"),
        ({"path": "a//b"}, "cnpg.backup.path"),
        ({"schedule": "0 0 * * *"}, "cnpg.backup.schedule"),
        ({"schedule": "*/30 * * * * *"}, "cnpg.backup.schedule"),
        ({"schedule": "0 61 * * * *"}, "cnpg.backup.schedule"),
        ({"schedule": "0 0 0 32 * *"}, "cnpg.backup.schedule"),
        ({"schedule": "0 0 0 * * FUNDAY"}, "cnpg.backup.schedule"),
        ({"schedule": "@daily"}, "cnpg.backup.schedule"),
        ({"retention": "30"}, "cnpg.backup.retention"),
        ({"retention": "0d"}, "cnpg.backup.retention"),
        ({"existing_secret": "Spaces"}, "cnpg.backup.existing_secret"),
        ({"access_key_id_key": ""}, "cnpg.backup.access_key_id_key"),
        ({"vault_path": "a/${other}"}, "cnpg.backup.vault_path"),
    ],
)
def test_bad_backup_settings_name_the_field(overrides: dict[str, Any], field: str) -> None:
    problems = problems_of({"cnpg": {"backup": {**BACKUP, **overrides}}})
    assert field in problems, problems


def test_backup_settings_are_not_checked_while_backups_are_off() -> None:
    render({"cnpg": {"backup": {"bucket": "Bad_Bucket", "schedule": "x"}}}, schemas=False)


@pytest.mark.parametrize(
    "schedule", ["0 0 0 * * *", "0 30 2 * * MON-FRI", "0 0 */6 * * *", "15 0 3 1,15 * ?"]
)
def test_six_field_schedules_are_accepted(schedule: str) -> None:
    assert schedule_problems("s", schedule) == []


@pytest.mark.skipif(SCHEMAS is None, reason=NO_SCHEMAS_REASON)
def test_every_variant_is_schema_valid_after_substitution() -> None:
    assert SCHEMAS is not None
    folders: set[str] = set()
    for overrides, env in VARIANTS:
        stack = render(overrides, env, schemas=False)
        assert schema_problems(stack.documents, all_units(stack), SCHEMAS) == []
        folders |= {u.folder for u in stack.components["cnpg"].units}
    assert folders == {
        "platform/databases",
        "platform/databases/credentials-vault",
        "platform/databases/backup-credentials-vault",
        "platform/databases/cluster-generated",
        "platform/databases/cluster-referenced",
        "platform/databases/cluster-generated-backup",
        "platform/databases/cluster-referenced-backup",
        "platform/databases/barman-cloud",
    }


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kustomize_builds_every_databases_folder(tmp_path: Path) -> None:
    files: dict[str, Any] = {}
    for overrides, env in VARIANTS:
        files.update(render(overrides, env, schemas=False).documents)
    built = assert_folders_build(tmp_path, files, "platform/databases")
    assert len(built) == 8
