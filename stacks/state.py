"""Where a stack keeps its state, and how that state is encrypted.

The local backend (stacks/backend.py) stays the embedded default; ``s3``
targets DigitalOcean Spaces or any S3 API. No credential is ever written here:
the engine's S3 client reads AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from
the environment, and the encryption passphrase arrives as TF_VAR_state_passphrase.
See docs/state.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cdktf import (
    S3Backend,
    S3BackendEndpointConfig,
    TerraformStack,
    TerraformVariable,
    TerraformVariableValidationConfig,
)

from stacks.backend import local_backend
from wildside_constructs.cluster.errors import (
    StateSettingsError,
    encryption_problem,
    is_terraform,
)

PASSPHRASE_VARIABLE = "state_passphrase"  # noqa: S105 - a variable name
# OpenTofu's pbkdf2 key provider refuses shorter passphrases.
MIN_PASSPHRASE = 16


@dataclass(frozen=True)
class StateProps:
    cluster: str
    backend: Literal["local", "s3"] = "local"
    bucket: str = ""
    region: str = "us-east-1"
    endpoint: str = ""
    key_prefix: str = "clusters"
    use_path_style: bool = False
    use_lockfile: bool = True
    skip_credentials_validation: bool = True
    skip_region_validation: bool = True
    skip_requesting_account_id: bool = True
    skip_metadata_api_check: bool = True
    skip_s3_checksum: bool = True
    encryption: bool = False
    # The engine that will run the stack (TERRAFORM_BINARY_NAME, default tofu).
    engine: str = "tofu"


def state_key(props: StateProps, stack_name: str) -> str:
    """``clusters/<cluster>/<stack>.tfstate``: one object per cluster and stack."""
    return f"{props.key_prefix}/{props.cluster}/{stack_name}.tfstate"


def configure_state(stack: TerraformStack, stack_name: str, props: StateProps) -> None:
    """Set the backend and, when asked, OpenTofu state encryption."""
    if props.encryption and is_terraform(props.engine):
        raise StateSettingsError([encryption_problem(props.engine)])
    if props.backend == "s3":
        _s3_backend(stack, stack_name, props)
    else:
        local_backend(stack, stack_name)
    if props.encryption:
        _encryption(stack)


def _s3_backend(stack: TerraformStack, stack_name: str, props: StateProps) -> None:
    S3Backend(
        stack,
        bucket=props.bucket,
        key=state_key(props, stack_name),
        region=props.region,
        endpoints=S3BackendEndpointConfig(s3=props.endpoint) if props.endpoint else None,
        use_path_style=props.use_path_style or None,
        skip_credentials_validation=props.skip_credentials_validation or None,
        skip_region_validation=props.skip_region_validation or None,
        skip_requesting_account_id=props.skip_requesting_account_id or None,
        skip_metadata_api_check=props.skip_metadata_api_check or None,
    )
    # cdktf 0.21's S3Backend predates these two settings; overrides land in the
    # same backend block. use_lockfile is S3-native locking (no DynamoDB).
    if props.skip_s3_checksum:
        stack.add_override("terraform.backend.s3.skip_s3_checksum", True)
    if props.use_lockfile:
        stack.add_override("terraform.backend.s3.use_lockfile", True)


def _encryption(stack: TerraformStack) -> None:
    passphrase = TerraformVariable(
        stack,
        PASSPHRASE_VARIABLE,
        type="string",
        sensitive=True,
        nullable=False,
        description="State encryption passphrase; set TF_VAR_state_passphrase, never a file",
        validation=[
            TerraformVariableValidationConfig(
                condition=f"${{length(var.{PASSPHRASE_VARIABLE}) >= {MIN_PASSPHRASE}}}",
                error_message=f"The state passphrase must be at least {MIN_PASSPHRASE} characters.",
            )
        ],
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
