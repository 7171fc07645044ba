"""The literal-Secret rule, in Python and in Rego, on Secrets the real sops encrypted."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.validation.rego_support import deny, load_policies
from wildside_constructs.validation.rules import secret_problems
from wildside_ops.secrets.commands import SecretsContext, set_values

regopy = pytest.importorskip("regopy", reason="regopy (dev dependency) is not installed")


@pytest.fixture
def encrypted(context: SecretsContext) -> dict[str, Any]:
    path = set_values(context, "apps", "webhook", {"url": "https://x", "t": "y"}, lambda _: None)
    loaded: dict[str, Any] = yaml.safe_load(path.read_text())
    return loaded


@pytest.fixture(scope="module")
def interpreter() -> Any:
    return load_policies(regopy)


def _mutations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    cleared = copy.deepcopy(document)
    cleared["stringData"]["t"] = "plain"
    added = copy.deepcopy(document)
    added["stringData"]["extra"] = "plain"
    data = copy.deepcopy(document)
    data["data"] = {"k": "cGxhaW4="}
    stripped = copy.deepcopy(document)
    del stripped["sops"]
    no_recipient = copy.deepcopy(document)
    no_recipient["sops"]["age"] = []
    return {
        "a value decrypted in place": cleared,
        "a value added in clear": added,
        "a clear data field beside encrypted stringData": data,
        "the sops metadata removed": stripped,
        "no age recipient": no_recipient,
    }


def test_a_fully_encrypted_secret_passes_both_rules(
    encrypted: dict[str, Any], interpreter: Any
) -> None:
    assert secret_problems({"platform/secrets/clusters/dev/a.yaml": encrypted}) == []
    assert deny(interpreter, encrypted) == []


def test_each_way_of_leaving_plaintext_fails_both_rules(
    encrypted: dict[str, Any], interpreter: Any, tmp_path: Path
) -> None:
    for why, document in _mutations(encrypted).items():
        assert [p.message.split(":")[0] for p in secret_problems({"a.yaml": document})] == [
            "secret-literal"
        ], why
        assert any("secret-literal" in message for message in deny(interpreter, document)), why
