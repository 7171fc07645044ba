"""policy/datastores.rego: CNPG and Valkey credentials by reference, backups that can run.

Each rule accepts the rendered documents and rejects a mutated one, evaluated
with regopy both ways conftest calls the policies.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.platform.datastore_helpers import BACKUP, render
from tests.validation.rego_support import combined, deny, doc, load_policies

regopy = pytest.importorskip("regopy", reason="regopy (dev dependency) is not installed")

CLUSTER = "platform/databases/cluster-referenced-backup/cluster.yaml"
SCHEDULED = "platform/databases/cluster-referenced-backup/scheduledbackup.yaml"
STORE = "platform/databases/cluster-referenced-backup/objectstore.yaml"
STORE_WHERE = "ObjectStore/${cnpg_cluster_name}-backup"
VALKEY = "platform/redis/cluster-referenced/valkey.yaml"
CLUSTER_WHERE = "Cluster/${cnpg_cluster_name}"
VALKEY_WHERE = "Valkey/${valkey_name}"


@pytest.fixture(scope="module")
def tree() -> dict[str, Any]:
    return dict(render({"cnpg": {"backup": BACKUP}}, schemas=False).documents)


@pytest.fixture(scope="module")
def interpreter() -> Any:
    return load_policies(regopy)


def test_the_rendered_data_stores_are_accepted(interpreter: Any, tree: dict[str, Any]) -> None:
    for path in (CLUSTER, SCHEDULED, STORE, VALKEY):
        assert deny(interpreter, tree[path]) == [], path
    assert deny(interpreter, combined(tree)) == []
    for env in (
        {},
        {"WILDSIDE_ENABLE_VAULT_ESO": "false", "WILDSIDE_ENABLE_OBSERVABILITY": "false"},
    ):
        files = dict(render({}, env, schemas=False).documents)
        assert deny(interpreter, combined(files)) == []


@pytest.mark.parametrize("field", ["postInitSQL", "postInitApplicationSQL", "postInitTemplateSQL"])
def test_a_password_in_bootstrap_sql_is_denied(
    interpreter: Any, tree: dict[str, Any], field: str
) -> None:
    cluster = doc(tree, CLUSTER)
    cluster["spec"]["bootstrap"]["initdb"][field] = ["ALTER ROLE app WITH PASSWORD 'hunter2';"]
    assert deny(interpreter, cluster) == [
        f"{CLUSTER_WHERE}: cnpg-credentials: bootstrap.initdb.{field} sets a password in Git; "
        "reference a Secret (bootstrap.initdb.secret, superuserSecret)"
    ]


def test_an_object_store_without_a_destination_is_denied(
    interpreter: Any, tree: dict[str, Any]
) -> None:
    store = doc(tree, STORE)
    del store["spec"]["configuration"]["destinationPath"]
    assert deny(interpreter, store) == [
        f"{STORE_WHERE}: cnpg-backup: ObjectStore.spec.configuration has no destinationPath"
    ]
    # A Cluster not yet migrated from the in-tree integration is held to the same rule.
    cluster = doc(tree, CLUSTER)
    cluster["spec"]["backup"] = {
        "barmanObjectStore": {"s3Credentials": {"inheritFromIAMRole": True}}
    }
    assert deny(interpreter, cluster) == [
        f"{CLUSTER_WHERE}: cnpg-backup: barmanObjectStore has no destinationPath"
    ]


@pytest.mark.parametrize(
    "credentials",
    [
        {},
        {"accessKeyId": {"name": "s3", "key": "id"}},
        {"accessKeyId": {"name": "s3", "key": "id"}, "secretAccessKey": {"name": "", "key": "k"}},
    ],
)
def test_s3_credentials_not_by_reference_are_denied(
    interpreter: Any, tree: dict[str, Any], credentials: dict[str, Any]
) -> None:
    store = doc(tree, STORE)
    store["spec"]["configuration"]["s3Credentials"] = credentials
    assert deny(interpreter, store) == [
        f"{STORE_WHERE}: cnpg-backup: ObjectStore.spec.configuration.s3Credentials must "
        "reference accessKeyId and secretAccessKey by Secret name and key"
    ]


def test_a_cloud_identity_needs_no_key_pair(interpreter: Any, tree: dict[str, Any]) -> None:
    store = doc(tree, STORE)
    store["spec"]["configuration"]["s3Credentials"] = {"inheritFromIAMRole": True}
    assert deny(interpreter, store) == []


@pytest.mark.parametrize("schedule", ["0 0 * * *", "0 0 0 * * * *", ""])
def test_a_schedule_without_six_fields_is_denied(
    interpreter: Any, tree: dict[str, Any], schedule: str
) -> None:
    scheduled = doc(tree, SCHEDULED)
    scheduled["spec"]["schedule"] = schedule
    assert deny(interpreter, scheduled) == [
        f"ScheduledBackup/${{cnpg_cluster_name}}-scheduled: cnpg-backup: schedule '{schedule}' "
        "is not a six-field cron expression (seconds first)"
    ]


def test_a_scheduled_backup_of_a_cluster_without_backups_is_denied(
    interpreter: Any, tree: dict[str, Any]
) -> None:
    files = dict(tree)
    cluster = doc(tree, CLUSTER)
    del cluster["spec"]["plugins"]
    files[CLUSTER] = cluster
    expected = [
        f"{SCHEDULED}: cnpg-backup: no rendered Cluster databases/${{cnpg_cluster_name}} "
        "backs up with method plugin (a Barman Cloud plugin entry naming a rendered "
        "ObjectStore, or backup.barmanObjectStore)"
    ]
    assert deny(interpreter, combined(files)) == expected
    # The plugin entry alone is not enough: the ObjectStore it names must be rendered.
    files = {path: d for path, d in tree.items() if path != STORE}
    assert deny(interpreter, combined(files)) == expected
    # One document alone cannot tell: the combined-only rule stays silent.
    assert deny(interpreter, tree[SCHEDULED]) == []


def test_anonymous_valkey_is_denied(interpreter: Any, tree: dict[str, Any]) -> None:
    valkey = doc(tree, VALKEY)
    valkey["spec"]["anonymousAuth"] = True
    assert deny(interpreter, valkey) == [
        f"{VALKEY_WHERE}: valkey-auth: anonymousAuth lets any pod read and write; clients "
        "must authenticate"
    ]


@pytest.mark.parametrize("field", ["name", "key"])
def test_a_valkey_password_reference_without_a_secret_is_denied(
    interpreter: Any, tree: dict[str, Any], field: str
) -> None:
    valkey = doc(tree, VALKEY)
    valkey["spec"]["servicePassword"][field] = ""
    assert deny(interpreter, valkey) == [
        f"{VALKEY_WHERE}: valkey-auth: servicePassword has no {field}; name the Secret and key "
        "holding the password"
    ]
