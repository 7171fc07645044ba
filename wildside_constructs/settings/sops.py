"""Settings for Secrets kept in Git, encrypted with SOPS and age."""

from __future__ import annotations

import re
from dataclasses import dataclass

from wildside_constructs.problems import Problem
from wildside_constructs.settings.datastores import vault_path_problems
from wildside_constructs.settings.text import text_problems

# An age X25519 recipient: "age1" and 58 bech32 characters (age's format spec).
AGE_RECIPIENT = re.compile(r"^age1[02-9ac-hj-np-z]{58}$")
# Flux's kustomize-controller reads age keys from Secret keys ending ".agekey".
AGE_KEY_SECRET = "sops-age"  # noqa: S105 - a Secret name, not a secret
AGE_KEY_SECRET_KEY = "age.agekey"  # noqa: S105 - a key name, not a secret
_PROPERTY = re.compile(r"^[A-Za-z0-9_.-]+$")


@dataclass(frozen=True)
class SopsSettings:
    """Which age keys a cluster's Git-stored Secrets are encrypted to, and where its key is.

    ``age_recipients``: the public keys every file under
    ``platform/secrets/clusters/<cluster>/`` is encrypted to: the cluster's own
    (whose private half is in Vault) and, usually, one per operator who edits
    them. ``vault_path``/``vault_property``: where External Secrets reads the
    cluster's age private key (KV v2, under ``[vault_eso] kv_mount``).
    """

    age_recipients: tuple[str, ...] = ()
    vault_path: str = "wildside/${cluster_name}/sops"
    vault_property: str = "age_key"

    def problems(self, where: str) -> list[Problem]:
        found: list[Problem] = []
        if not self.age_recipients:
            found.append(
                Problem(
                    f"{where}.age_recipients",
                    "must list at least one age public key (age1…): the cluster's, whose "
                    "private half is stored in Vault; generate one with `age-keygen`",
                )
            )
        for index, recipient in enumerate(self.age_recipients):
            if not AGE_RECIPIENT.match(recipient):
                found.append(
                    Problem(
                        f"{where}.age_recipients[{index}]",
                        f"{recipient!r} is not an age public key: it starts with 'age1' "
                        "followed by 58 lower-case bech32 characters (`age-keygen -y KEYFILE`)",
                    )
                )
        if len(set(self.age_recipients)) != len(self.age_recipients):
            found.append(Problem(f"{where}.age_recipients", "lists a key twice; list each once"))
        found += vault_path_problems(f"{where}.vault_path", self.vault_path)
        found += text_problems(
            f"{where}.vault_property",
            self.vault_property,
            _PROPERTY,
            "a Vault secret property (letters, digits, '_', '.', '-')",
        )
        return found

    def requires(self) -> dict[str, str]:
        return {
            "vault_eso": "sops delivers the cluster's age key from Vault through External "
            "Secrets; enable vault_eso, or disable sops"
        }


@dataclass(frozen=True)
class SopsContract:
    """What users (and ``wildside secrets``) consume from sops on one cluster."""

    # Where this cluster's encrypted files live (written by ``wildside secrets``).
    secrets_folder: str
    secrets_unit: str
    # ``flux-system/<name>``: the Secret holding the age private key.
    age_key_secret: str
    age_recipients: tuple[str, ...]
