"""Where a stack keeps its state, and how that state is encrypted.

The local backend (stacks/backend.py) stays the embedded default; ``s3``
targets DigitalOcean Spaces or any S3 API. No credential is ever written here:
the engine's S3 client reads AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from
the environment, and the encryption passphrase arrives as TF_VAR_state_passphrase.
See docs/state.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cdktf import (
    S3Backend,
    S3BackendEndpointConfig,
    TerraformStack,
    TerraformVariable,
)

from stacks.backend import local_backend
from wildside_constructs.cluster.errors import (
    StatePassphraseError,
    StateSettingsError,
    encryption_problem,
    is_terraform,
    passphrase_problem,
    short_passphrase_problem,
)
from wildside_constructs.settings.state import StateSettings

PASSPHRASE_VARIABLE = "state_passphrase"  # noqa: S105 - a variable name
PASSPHRASE_ENV = f"TF_VAR_{PASSPHRASE_VARIABLE}"
# OpenTofu's pbkdf2 key provider refuses shorter passphrases.
MIN_PASSPHRASE = 16


@dataclass(frozen=True)
class StackState:
    """One cluster's state settings, and the engine that will run its stacks."""

    cluster: str
    settings: StateSettings = field(default_factory=StateSettings)
    # TERRAFORM_BINARY_NAME, default tofu: Terraform cannot encrypt state.
    engine: str = "tofu"
    # Whether TF_VAR_state_passphrase is set where synth runs (never its value),
    # and whether it is long enough for OpenTofu's pbkdf2 key provider.
    passphrase_set: bool = False
    passphrase_long_enough: bool = True


def state_key(state: StackState, stack_name: str) -> str:
    """``clusters/<cluster>/<stack>.tfstate``: one object per cluster and stack."""
    return f"{state.settings.key_prefix}/{state.cluster}/{stack_name}.tfstate"


def configure_state(stack: TerraformStack, stack_name: str, state: StackState) -> None:
    """Set the backend and OpenTofu state encryption (on by default for s3)."""
    settings = state.settings
    encrypted = settings.encrypted()
    if encrypted and is_terraform(state.engine):
        raise StateSettingsError([encryption_problem(state.engine)])
    if encrypted and settings.backend == "s3" and not state.passphrase_set:
        raise StatePassphraseError([passphrase_problem()])
    if encrypted and settings.backend == "s3" and not state.passphrase_long_enough:
        raise StatePassphraseError([short_passphrase_problem(MIN_PASSPHRASE)])
    if settings.backend == "s3":
        _s3_backend(stack, stack_name, state)
    else:
        local_backend(stack, stack_name)
    if encrypted:
        _encryption(stack)


def _s3_backend(stack: TerraformStack, stack_name: str, state: StackState) -> None:
    settings = state.settings
    S3Backend(
        stack,
        bucket=settings.bucket,
        key=state_key(state, stack_name),
        region=settings.region,
        endpoints=S3BackendEndpointConfig(s3=settings.endpoint) if settings.endpoint else None,
        use_path_style=settings.use_path_style or None,
        skip_credentials_validation=settings.skip_credentials_validation or None,
        skip_region_validation=settings.skip_region_validation or None,
        skip_requesting_account_id=settings.skip_requesting_account_id or None,
        skip_metadata_api_check=settings.skip_metadata_api_check or None,
    )
    # cdktf 0.21's S3Backend predates these two settings; overrides land in the
    # same backend block. use_lockfile is S3-native locking (no DynamoDB).
    if settings.skip_s3_checksum:
        stack.add_override("terraform.backend.s3.skip_s3_checksum", True)
    if settings.use_lockfile:
        stack.add_override("terraform.backend.s3.use_lockfile", True)


def _encryption(stack: TerraformStack) -> None:
    passphrase = TerraformVariable(
        stack,
        PASSPHRASE_VARIABLE,
        type="string",
        sensitive=True,
        nullable=False,
        # No validation block: a failing one prints the value it checks, sensitive or
        # not (opentofu#2219). Synth checks the length (configure_state), and
        # OpenTofu's pbkdf2 key provider refuses a short passphrase itself.
        description="State encryption passphrase; set TF_VAR_state_passphrase, never a file",
    )
    method = "${method.aes_gcm.default}"
    stack.add_override(
        "terraform.encryption",
        {
            "key_provider": {
                "pbkdf2": {"default": {"passphrase": f"${{var.{passphrase.friendly_unique_id}}}"}}
            },
            "method": {"aes_gcm": {"default": {"keys": "${key_provider.pbkdf2.default}"}}},
            # Plan files hold state too: `wildside deploy` saves one between steps.
            "state": {"method": method, "enforced": True},
            "plan": {"method": method, "enforced": True},
        },
    )
