"""sops: the age key from Vault into flux-system, and a decrypting Kustomization per cluster."""

from __future__ import annotations

from typing import Any

import pytest

from tests.platform.datastore_helpers import NO_VAULT, applied, depends_on, render
from tests.support import problems_of
from wildside_constructs.validation.flux_rules import flux_kustomization_problems

RECIPIENT = "age1872xyafd3ejyku9en0375fq2a432pyqmm6pz6e4e640z248zeu3sr99kn9"
ON = {"components": {"sops": True}, "sops": {"age_recipients": [RECIPIENT]}}


@pytest.fixture(scope="module")
def stack() -> Any:
    return render(ON)


def test_flux_decrypts_this_clusters_folder_with_the_key_from_vault(stack: Any) -> None:
    secrets = stack.documents["clusters/dev/secrets.yaml"]["spec"]
    assert secrets["path"] == "./platform/secrets/clusters/dev"
    assert secrets["decryption"] == {"provider": "sops", "secretRef": {"name": "sops-age"}}
    assert depends_on(stack, "secrets") == ["sops-age-key"]
    assert depends_on(stack, "sops-age-key") == ["vault-secret-store"]
    key = applied(stack, "sops-age-key", "externalsecret.yaml")
    assert key["metadata"]["namespace"] == "flux-system"
    assert key["spec"]["target"]["name"] == "sops-age"
    # kustomize-controller only reads keys ending in .agekey.
    assert key["spec"]["data"] == [
        {
            "secretKey": "age.agekey",
            "remoteRef": {"key": "wildside/dev/sops", "property": "age_key"},
        }
    ]
    # The folder itself is written by `wildside secrets`, never rendered.
    assert not [p for p in stack.rendered if p.startswith("platform/secrets/clusters/")]


def test_clusters_without_sops_never_apply_encrypted_files() -> None:
    stack = render()
    assert "clusters/dev/secrets.yaml" not in stack.documents
    assert not [p for p in stack.rendered if p.startswith("platform/secrets/")]


def test_only_a_decrypting_kustomization_may_point_at_the_secrets_folder(stack: Any) -> None:
    files = dict(stack.documents)
    assert flux_kustomization_problems(files) == []
    plain = {**files["clusters/dev/secrets.yaml"]}
    plain["spec"] = {k: v for k, v in plain["spec"].items() if k != "decryption"}
    found = flux_kustomization_problems({**files, "clusters/dev/secrets.yaml": plain})
    assert [p.message.split(":")[0] for p in found] == ["flux-path"]


def test_sops_needs_vault_and_a_recipient() -> None:
    assert (
        "age key from Vault"
        in problems_of({**ON, "components": {"sops": True, "rabbitmq": False}}, NO_VAULT)[
            "components.vault_eso"
        ]
    )
    assert (
        "at least one age public key"
        in problems_of({"components": {"sops": True}})["sops.age_recipients"]
    )
