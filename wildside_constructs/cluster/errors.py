"""Errors the cluster stack raises at synth time, before anything is written.

They subclass :class:`RenderError`, which the CLI already reports as bad input
(exit code 2), but carry their own headline: they are not GitOps tree problems.
"""

from __future__ import annotations

from wildside_constructs.problems import Problem
from wildside_constructs.validation.errors import RenderError


class ClusterStackError(RenderError):
    headline = "cluster-stack cannot be synthesised"

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.field, p.message))
        lines = [f"{self.headline} ({len(self.problems)} problem(s)):"]
        lines.extend(f"  - {problem}" for problem in self.problems)
        Exception.__init__(self, "\n".join(lines))


class DestroyProtectionError(ClusterStackError):
    headline = "destroy protection: protected resources lack lifecycle.prevent_destroy"


class StateSettingsError(ClusterStackError):
    headline = "state settings cannot work with this engine"


class StatePassphraseError(ClusterStackError):
    headline = "remote state is encrypted, and its passphrase is missing or too short"


def is_terraform(engine: str) -> bool:
    """True for HashiCorp Terraform, named or given as a path."""
    return engine.rsplit("/", 1)[-1].startswith("terraform")


def encryption_problem(engine: str) -> Problem:
    return Problem(
        "state.encryption",
        f"is true, but the engine is {engine!r}: Terraform has no client-side state "
        "encryption (an OpenTofu feature) and would store state in plain text. Use "
        "OpenTofu (unset TERRAFORM_BINARY_NAME or set it to tofu), or set "
        "state.encryption = false (WILDSIDE_STATE_ENCRYPTION=false; for s3 state also "
        "state.allow_unencrypted = true)",
    )


def passphrase_problem() -> Problem:
    return Problem(
        "TF_VAR_state_passphrase",
        "is not set, but remote state is encrypted (state.encryption, on by default for s3): "
        "export TF_VAR_state_passphrase (16+ characters, kept in Vault; the action reads it "
        "from Vault), or opt out with state.encryption = false and "
        "state.allow_unencrypted = true",
    )


def short_passphrase_problem(minimum: int) -> Problem:
    # Never the value, nor its length: both are the secret's.
    return Problem(
        "TF_VAR_state_passphrase",
        f"is shorter than {minimum} characters, which OpenTofu's pbkdf2 key provider "
        f"refuses: store a longer one in Vault (e.g. `openssl rand -base64 32`) and export it",
    )
