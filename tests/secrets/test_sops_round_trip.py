"""The real sops binary and real age keys: encrypt, decrypt, rotate, check."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import GIT_ENV
from tests.secrets.conftest import AgeKey, new_key
from wildside_constructs.validation.sops import age_recipients, is_sops_encrypted
from wildside_ops.secrets.commands import SecretsContext, check, rotate, set_values
from wildside_ops.secrets.errors import SecretsError
from wildside_ops.secrets.layout import SecretsLayout
from wildside_ops.secrets.sopsbin import run_sops

SENTINEL = "hooks.example/T0P-SECRET-9f3c1a"


def _quiet(_line: str) -> None:
    return None


def _decrypt(tree: Path, path: Path, key: AgeKey) -> dict[str, Any]:
    """Decrypt as Flux would: the cluster's private key, nothing else."""
    out = run_sops(
        "decrypt",
        [str(path)],
        config=tree / ".sops.yaml",
        cwd=tree,
        env={"SOPS_AGE_KEY": key.private, "SOPS_AGE_KEY_FILE": ""},
    )
    loaded: dict[str, Any] = yaml.safe_load(out)
    return loaded


def _git(tree: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(
        ["git", *args], cwd=tree, env=env, check=True, capture_output=True, text=True
    ).stdout


def test_set_encrypts_and_the_cluster_key_decrypts(
    tree: Path, context: SecretsContext, cluster_key: AgeKey
) -> None:
    path = set_values(context, "apps", "webhook", {"url": SENTINEL}, _quiet)
    text = path.read_text()
    assert SENTINEL not in text
    document = yaml.safe_load(text)
    assert is_sops_encrypted(document)
    assert age_recipients(document) == {cluster_key.public}
    assert document["metadata"] == {"name": "webhook", "namespace": "apps"}
    assert _decrypt(tree, path, cluster_key)["stringData"] == {"url": SENTINEL}
    listing = yaml.safe_load((path.parent / "kustomization.yaml").read_text())
    assert listing["resources"] == ["apps.webhook.yaml"]
    assert check(context, _quiet) == []


def test_no_plaintext_reaches_any_git_object(tree: Path, context: SecretsContext) -> None:
    _git(tree, "init", "--quiet")
    set_values(context, "apps", "webhook", {"url": SENTINEL}, _quiet)
    _git(tree, "add", "-A")
    _git(tree, "commit", "--quiet", "-m", "secret")
    objects = _git(tree, "cat-file", "--batch-all-objects", "--batch-check=%(objectname)")
    for oid in objects.split():
        assert SENTINEL not in _git(tree, "cat-file", "-p", oid)


def test_changing_a_key_keeps_the_others(
    tree: Path, context: SecretsContext, cluster_key: AgeKey, holding: Any
) -> None:
    set_values(context, "apps", "webhook", {"url": SENTINEL, "user": "ci"}, _quiet)
    holding(cluster_key)
    path = set_values(context, "apps", "webhook", {"user": "deploy"}, _quiet)
    assert _decrypt(tree, path, cluster_key)["stringData"] == {"url": SENTINEL, "user": "deploy"}


def test_changing_an_existing_secret_needs_the_private_key(
    context: SecretsContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOPS_AGE_KEY", raising=False)
    monkeypatch.delenv("SOPS_AGE_KEY_FILE", raising=False)
    set_values(context, "apps", "webhook", {"url": SENTINEL}, _quiet)
    with pytest.raises(SecretsError, match="SOPS_AGE_KEY_FILE") as caught:
        set_values(context, "apps", "webhook", {"url": "other"}, _quiet)
    assert caught.value.exit_code == 2


def test_rotate_moves_every_file_to_the_new_recipients(
    tree: Path, context: SecretsContext, cluster_key: AgeKey, holding: Any
) -> None:
    first = set_values(context, "apps", "webhook", {"url": SENTINEL}, _quiet)
    second = set_values(context, "billing", "stripe", {"key": "sk_live_x"}, _quiet)
    successor = new_key()
    rotated = SecretsContext(SecretsLayout(tree, "dev"), (successor.public,))
    assert check(rotated, _quiet) != []  # still encrypted to the old key
    holding(cluster_key)
    assert rotate(rotated, _quiet) == [first, second]
    assert check(rotated, _quiet) == []
    assert _decrypt(tree, first, successor)["stringData"] == {"url": SENTINEL}
    with pytest.raises(SecretsError, match="decrypt"):
        _decrypt(tree, first, cluster_key)


def test_check_refuses_plaintext_and_foreign_recipients(
    tree: Path, context: SecretsContext
) -> None:
    folder = tree / "platform" / "secrets" / "clusters" / "dev"
    folder.mkdir(parents=True)
    plain = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "leak", "namespace": "apps"},
        "stringData": {"token": "clear"},
    }
    (folder / "apps.leak.yaml").write_text(yaml.safe_dump(plain))
    (folder / "notes.txt").write_text("hello")
    problems = check(context, _quiet)
    assert any("apps.leak.yaml: stringData.token not encrypted" in p for p in problems)
    assert any("notes.txt: only encrypted YAML" in p for p in problems)


def test_a_value_added_in_clear_after_encryption_is_caught(
    context: SecretsContext,
) -> None:
    path = set_values(context, "apps", "webhook", {"url": SENTINEL}, _quiet)
    document = yaml.safe_load(path.read_text())
    document["stringData"]["sneaky"] = "plain"
    path.write_text(yaml.safe_dump(document))
    assert any("stringData.sneaky not encrypted" in p for p in check(context, _quiet))


@pytest.mark.parametrize("bad", ["Apps", "a_b", "-x", "x" * 64])
def test_names_must_be_kubernetes_names(context: SecretsContext, bad: str) -> None:
    with pytest.raises(SecretsError, match="is not a Kubernetes name"):
        set_values(context, bad, "webhook", {"k": "v"}, _quiet)
    assert not (context.layout.root / "platform").exists()


def test_other_clusters_rules_survive(tree: Path, context: SecretsContext) -> None:
    other = SecretsContext(SecretsLayout(tree, "prod"), (new_key().public,))
    set_values(other, "apps", "webhook", {"url": "prod"}, _quiet)
    set_values(context, "apps", "webhook", {"url": "dev"}, _quiet)
    rules = yaml.safe_load((tree / ".sops.yaml").read_text())["creation_rules"]
    assert [rule["path_regex"] for rule in rules] == [
        r"^platform/secrets/clusters/dev/[^/]+\.yaml$",
        r"^platform/secrets/clusters/prod/[^/]+\.yaml$",
    ]
