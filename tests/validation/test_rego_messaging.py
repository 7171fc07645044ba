"""policy/messaging.rego: TLS-only brokers, users with imported credentials, pinned images."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.platform.datastore_helpers import render
from tests.platform.test_rabbitmq import PROD
from tests.validation.rego_support import combined, deny, doc, load_policies

regopy = pytest.importorskip("regopy", reason="regopy (dev dependency) is not installed")

BROKER = "platform/messaging/cluster/rabbitmqcluster.yaml"
USER = "clusters/prod/rabbitmq-topology/user-shop.yaml"
OPERATOR = "platform/messaging/operators/kustomization-rabbitmq-cluster-operator.yaml"


@pytest.fixture(scope="module")
def tree() -> dict[str, Any]:
    return dict(render(PROD, schemas=False).documents)


@pytest.fixture(scope="module")
def interpreter() -> Any:
    return load_policies(regopy)


def test_the_rendered_messaging_documents_are_accepted(
    interpreter: Any, tree: dict[str, Any]
) -> None:
    for path in (BROKER, USER, OPERATOR):
        assert deny(interpreter, tree[path]) == [], path
    assert deny(interpreter, combined(tree)) == []


@pytest.mark.parametrize(
    "tls", [{}, {"secretName": "x"}, {"secretName": "", "disableNonTLSListeners": True}]
)
def test_a_broker_that_is_not_tls_only_is_denied(
    interpreter: Any, tree: dict[str, Any], tls: dict[str, Any]
) -> None:
    broker = doc(tree, BROKER)
    broker["spec"]["tls"] = tls
    assert [m.split(": ", 1)[1].split(":")[0] for m in deny(interpreter, broker)] == [
        "rabbitmq-tls"
    ]


def test_a_user_without_imported_credentials_is_denied(
    interpreter: Any, tree: dict[str, Any]
) -> None:
    user = doc(tree, USER)
    del user["spec"]["importCredentialsSecret"]
    assert any("rabbitmq-credentials" in m for m in deny(interpreter, user))


@pytest.mark.parametrize("tag", ["latest", ""])
def test_an_unpinned_operator_image_is_denied(
    interpreter: Any, tree: dict[str, Any], tag: str
) -> None:
    operator = copy.deepcopy(tree[OPERATOR])
    operator["spec"]["images"][0]["newTag"] = tag
    assert any("rabbitmq-image-pinned" in m for m in deny(interpreter, operator))
