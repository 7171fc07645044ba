"""rabbitmq: the two operators from their release tags, a TLS-only broker, vhosts and users."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.platform.datastore_helpers import (
    NO_VAULT,
    applied,
    assert_folders_build,
    depends_on,
    render,
    unit_folder,
    units_of,
)
from tests.support import example_with, problems_of, render_platform
from wildside_constructs.settings.rabbitmq import RabbitmqSettings
from wildside_constructs.validation.messaging import messaging_problems

PROD = {
    "cluster": {"name": "prod", "environment": "production"},
    # Five brokers need room: the capacity check refuses the example's pool.
    "node_pools": [{"name": "default", "size": "s-4vcpu-8gb", "count": 3}],
    "rabbitmq": {
        "replicas": 5,
        "vhosts": [{"name": "orders"}, {"name": "events", "default_queue_type": "stream"}],
        "users": [
            {"name": "shop", "vault_path": "wildside/${cluster_name}/rabbitmq/shop"},
            {"name": "audit", "vault_path": "wildside/audit/rabbitmq", "tags": ["monitoring"]},
        ],
        "permissions": [
            {"user": "shop", "vhost": "orders"},
            {"user": "audit", "vhost": "events", "configure": "^$", "write": "^$"},
        ],
    },
}


@pytest.fixture(scope="module")
def default() -> Any:
    return render()


@pytest.fixture(scope="module")
def prod() -> Any:
    return render(PROD)


def test_operators_come_from_their_release_tags(default: Any) -> None:
    folder = "platform/messaging/operators"
    sources = {
        name: default.documents[f"{folder}/gitrepository-{name}.yaml"]["spec"]
        for name in ("rabbitmq-cluster-operator", "rabbitmq-topology-operator")
    }
    assert sources["rabbitmq-cluster-operator"]["url"] == (
        "https://github.com/rabbitmq/cluster-operator"
    )
    assert sources["rabbitmq-cluster-operator"]["ref"] == {"tag": "v2.22.3"}
    assert sources["rabbitmq-topology-operator"]["ref"] == {"tag": "v1.20.1"}
    cluster_op = default.documents[f"{folder}/kustomization-rabbitmq-cluster-operator.yaml"]
    topology_op = default.documents[f"{folder}/kustomization-rabbitmq-topology-operator.yaml"]
    assert cluster_op["spec"]["path"] == "./config/installation"
    # The image names upstream's build really uses (test_rabbitmq_upstream.py builds them).
    assert cluster_op["spec"]["images"] == [
        {"name": "ghcr.io/rabbitmq/cluster-operator", "newTag": "2.22.3"}
    ]
    assert topology_op["spec"]["images"] == [
        {
            "name": "rabbitmqoperator/messaging-topology-operator",
            "newName": "ghcr.io/rabbitmq/messaging-topology-operator",
            "newTag": "1.20.1",
        }
    ]
    # The variant whose webhook certificate cert-manager issues, after the CRDs
    # (test_rabbitmq_upstream.py checks the folder against the tag's listing).
    assert topology_op["spec"]["path"] == "./config/installation"
    assert topology_op["spec"]["dependsOn"] == [{"name": "rabbitmq-cluster-operator"}]
    assert depends_on(default, "rabbitmq-operators") == ["cert-manager"]


def test_the_broker_is_tls_only_with_a_private_ca(default: Any) -> None:
    broker = applied(default, "rabbitmq-cluster", "rabbitmqcluster.yaml")
    assert broker["spec"]["replicas"] == 3
    assert broker["spec"]["tls"] == {
        "secretName": "rabbitmq-tls",
        "caSecretName": "rabbitmq-ca",
        "disableNonTLSListeners": True,
    }
    assert broker["spec"]["persistence"] == {
        "storageClassName": "do-block-storage",
        "storage": "10Gi",
    }
    server = applied(default, "rabbitmq-cluster", "certificate-tls.yaml")
    assert server["spec"]["issuerRef"] == {"name": "rabbitmq-ca", "kind": "Issuer"}
    assert "rabbitmq.messaging.svc.cluster.local" in server["spec"]["dnsNames"]
    assert "*.rabbitmq-nodes.messaging.svc.cluster.local" in server["spec"]["dnsNames"]
    ca = applied(default, "rabbitmq-cluster", "certificate-ca.yaml")
    assert ca["spec"]["isCA"] is True
    assert depends_on(default, "rabbitmq-cluster") == ["rabbitmq-operators", "cert-manager"]


def test_users_read_their_passwords_from_vault(prod: Any) -> None:
    folder = unit_folder(prod, "rabbitmq-topology", "prod")
    assert folder == "clusters/prod/rabbitmq-topology"
    secret = prod.documents[f"{folder}/externalsecret-user-shop.yaml"]["spec"]
    assert secret["data"] == [
        {
            "secretKey": "password",
            "remoteRef": {"key": "wildside/prod/rabbitmq/shop", "property": "password"},
        }
    ]
    assert secret["target"]["template"]["data"] == {
        "username": "shop",
        "password": "{{ .password }}",
    }
    user = prod.documents[f"{folder}/user-audit.yaml"]["spec"]
    assert user["importCredentialsSecret"] == {"name": "prod-user-audit"}
    assert user["tags"] == ["monitoring"]
    grant = prod.documents[f"{folder}/permission-audit-events.yaml"]["spec"]
    assert grant["userReference"] == {"name": "rabbitmq-audit"}
    assert grant["permissions"] == {"configure": "^$", "write": "^$", "read": ".*"}
    vhost = prod.documents[f"{folder}/vhost-events.yaml"]["spec"]
    assert vhost["defaultQueueType"] == "stream"
    assert depends_on(prod, "rabbitmq-topology", "prod") == [
        "rabbitmq-cluster",
        "vault-secret-store",
    ]


def test_contract_names_endpoints_vhosts_and_user_secrets(prod: Any) -> None:
    contract = prod.components["rabbitmq"].contract()
    assert contract["amqp_url"] == "amqps://rabbitmq.messaging.svc.cluster.local:5671"
    assert contract["management_url"] == "https://rabbitmq.messaging.svc.cluster.local:15671"
    assert contract["vhosts"] == ["orders", "events"]
    assert contract["user_secrets"] == {"shop": "prod-user-shop", "audit": "prod-user-audit"}
    assert contract["topology_unit"] == "rabbitmq-topology"


def test_two_clusters_share_platform_messaging_byte_for_byte(default: Any, prod: Any) -> None:
    shared = {p for p in default.rendered if p.startswith("platform/messaging/")}
    assert shared == {p for p in prod.rendered if p.startswith("platform/messaging/")}
    assert {p: default.rendered[p] for p in shared} == {p: prod.rendered[p] for p in shared}
    dev_topology = {p for p in default.rendered if "rabbitmq-topology/" in p}
    prod_topology = {p for p in prod.rendered if "rabbitmq-topology/" in p}
    assert all(p.startswith("clusters/dev/") for p in dev_topology)
    assert all(p.startswith("clusters/prod/") for p in prod_topology)
    assert len(prod_topology) > len(dev_topology)


def test_no_topology_without_vhosts_or_users_and_no_vault_needed() -> None:
    stack = render({"rabbitmq": {"vhosts": [], "users": [], "permissions": []}}, NO_VAULT)
    assert units_of(stack, "rabbitmq") == ["rabbitmq-cluster", "rabbitmq-operators"]
    assert stack.components["rabbitmq"].contract()["topology_unit"] == ""


def test_switching_rabbitmq_off_removes_exactly_its_files(default: Any) -> None:
    off = render_platform(example_with(env={"WILDSIDE_ENABLE_RABBITMQ": "false"}))
    gone = set(default.rendered) - set(off.rendered)
    # Its monitors, rules and dashboard go with it (observability stays on).
    monitors = {p for p in gone if "/monitors-rabbitmq" in p or "/monitors/rabbitmq/" in p}
    assert "platform/observability/monitors/rabbitmq/rules.yaml" in monitors
    assert all("messaging/" in p or "/rabbitmq-" in p for p in gone - monitors)
    assert {p for p in off.rendered if p not in default.rendered} == set()


def test_every_folder_builds_with_kustomize(tmp_path: Path, prod: Any) -> None:
    assert_folders_build(tmp_path, prod.documents, "platform/messaging/")
    assert_folders_build(tmp_path, prod.documents, "clusters/prod/rabbitmq-topology/")


BAD: list[tuple[str, dict[str, Any], dict[str, str], str, str]] = [
    (
        "user without a Vault path",
        {"users": [{"name": "app"}]},
        {},
        "rabbitmq.users[0].vault_path",
        "never live in Git",
    ),
    (
        "vhost name",
        {"vhosts": [{"name": "Bad Vhost"}]},
        {},
        "rabbitmq.vhosts[0].name",
        "vhost name",
    ),
    (
        "unknown user",
        {"permissions": [{"user": "ghost", "vhost": "wildside"}]},
        {},
        "rabbitmq.permissions[0].user",
        "unknown user 'ghost'",
    ),
    (
        "unknown vhost",
        {"permissions": [{"user": "wildside", "vhost": "nowhere"}]},
        {},
        "rabbitmq.permissions[0].vhost",
        "unknown vhost 'nowhere'",
    ),
    ("zero replicas", {"replicas": 0}, {}, "rabbitmq.replicas", "at least 1"),
    (
        "bad pattern",
        {"permissions": [{"user": "wildside", "vhost": "wildside", "read": "("}]},
        {},
        "rabbitmq.permissions[0].read",
        "regular expression",
    ),
    (
        "queue type",
        {"vhosts": [{"name": "v", "default_queue_type": "lazy"}]},
        {},
        "rabbitmq.vhosts[0].default_queue_type",
        "'quorum'",
    ),
    (
        "user tag",
        {"users": [{"name": "u", "vault_path": "a/b", "tags": ["root"]}]},
        {},
        "rabbitmq.users[0].tags",
        "not a RabbitMQ user tag",
    ),
    ("storage", {"storage_size": "10"}, {}, "rabbitmq.storage_size", "volume size"),
    (
        "client namespace",
        {"client_namespaces": ["Shop_1"]},
        {},
        "rabbitmq.client_namespaces[0]",
        "a namespace name (a DNS label)",
    ),
    (
        "no vault for users",
        {"users": [{"name": "app", "vault_path": "a/b"}]},
        NO_VAULT,
        "components.vault_eso",
        "rabbitmq users' passwords come from Vault",
    ),
    (
        "no cert-manager",
        {},
        {"WILDSIDE_ENABLE_CERT_MANAGER": "false"},
        "components.cert_manager",
        "rabbitmq's TLS certificate",
    ),
]


@pytest.mark.parametrize(("why", "rabbitmq", "env", "field", "words"), BAD, ids=[b[0] for b in BAD])
def test_bad_settings_name_the_field_and_the_fix(
    why: str, rabbitmq: dict[str, Any], env: dict[str, str], field: str, words: str
) -> None:
    problems = problems_of({"rabbitmq": rabbitmq}, env)
    assert field in problems, (why, problems)
    assert words in problems[field], (why, problems[field])


def test_an_even_quorum_is_a_warning_not_a_refusal() -> None:
    config = example_with({"rabbitmq": {"replicas": 4}, "node_pools": PROD["node_pools"]})
    settings: RabbitmqSettings = config.settings["rabbitmq"]
    [warning] = settings.warnings("rabbitmq")
    assert warning.field == "rabbitmq.replicas"
    assert "odd" in warning.message
    assert RabbitmqSettings(replicas=3).warnings("rabbitmq") == []


def test_the_rules_accept_the_rendering_and_refuse_each_weakening(prod: Any) -> None:
    files = dict(prod.documents)
    assert messaging_problems(files) == []
    broker_path = "platform/messaging/cluster/rabbitmqcluster.yaml"
    weakened = {**files[broker_path], "spec": {**files[broker_path]["spec"], "tls": {}}}
    user_path = "clusters/prod/rabbitmq-topology/user-shop.yaml"
    bare_user = {**files[user_path], "spec": {"rabbitmqClusterReference": {"name": "x"}}}
    op_path = "platform/messaging/operators/kustomization-rabbitmq-cluster-operator.yaml"
    spec = {
        **files[op_path]["spec"],
        "images": [{"name": "ghcr.io/rabbitmq/cluster-operator", "newTag": "latest"}],
    }
    floating = {**files[op_path], "spec": spec}
    for path, document, rule in (
        (broker_path, weakened, "rabbitmq-tls"),
        (user_path, bare_user, "rabbitmq-credentials"),
        (op_path, floating, "rabbitmq-image-pinned"),
    ):
        found = messaging_problems({**files, path: document})
        assert [p.message.split(":")[0] for p in found] == [rule]
