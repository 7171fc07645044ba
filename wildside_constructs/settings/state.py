"""Where a cluster's stacks keep their OpenTofu state: the ``[state]`` table.

Defined once: the configuration reads it and ``stacks.state`` configures each
stack's backend from it, so a renamed field fails type checking, not a run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class StateSettings:
    """Remote state; ``backend = "local"`` is the embedded default."""

    backend: Literal["local", "s3"] = "local"
    bucket: str = ""
    region: str = "us-east-1"
    # e.g. https://nyc3.digitaloceanspaces.com; empty means AWS S3 itself.
    endpoint: str = ""
    # State lives at <key_prefix>/<cluster>/<stack>.tfstate.
    key_prefix: str = "clusters"
    use_path_style: bool = False
    use_lockfile: bool = True
    # S3-compatible stores (Spaces, MinIO) have no STS, IMDS or AWS regions:
    # the AWS SDK's checks against them fail, so they are skipped by default.
    skip_credentials_validation: bool = True
    skip_region_validation: bool = True
    skip_requesting_account_id: bool = True
    skip_metadata_api_check: bool = True
    skip_s3_checksum: bool = True
    # OpenTofu client-side encryption of state and plans; the passphrase comes
    # from TF_VAR_state_passphrase. Unset: on for s3, off for local.
    encryption: bool | None = None
    # Acknowledges plain-text remote state: needed with s3 and encryption = false.
    allow_unencrypted: bool = False

    def encrypted(self) -> bool:
        """Whether state and plans are encrypted: explicit, else on for remote state."""
        return self.backend == "s3" if self.encryption is None else self.encryption
