"""Before ``wildside deploy`` applies: does the state bucket keep versions?

The recovery plan in docs/state.md restores an earlier state object version;
without bucket versioning there is nothing to restore. The backend's own
settings are read from the synthesised stack (the one source of truth, and it
works with ``--skip-synth``); credentials come from the environment, as the
engine's S3 client reads them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CI_ENV = "CI"


class StateBucketError(Exception):
    """Versioning is off (or cannot be confirmed) and the run must not go on."""


@dataclass(frozen=True)
class Finding:
    bucket: str
    versioned: bool
    detail: str


def s3_backend(stack_dir: Path) -> dict[str, Any] | None:
    loaded = json.loads((stack_dir / "cdk.tf.json").read_text(encoding="utf-8"))
    backend: dict[str, Any] | None = loaded.get("terraform", {}).get("backend", {}).get("s3")
    return backend


def probe(backend: Mapping[str, Any], environ: Mapping[str, str]) -> Finding:
    """Ask the S3 API for the bucket's versioning status."""
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    bucket = str(backend["bucket"])
    endpoint = (backend.get("endpoints") or {}).get("s3") or None
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=backend.get("region") or "us-east-1",
        aws_access_key_id=environ.get("AWS_ACCESS_KEY_ID") or None,
        aws_secret_access_key=environ.get("AWS_SECRET_ACCESS_KEY") or None,
        aws_session_token=environ.get("AWS_SESSION_TOKEN") or None,
        config=Config(
            s3={"addressing_style": "path" if backend.get("use_path_style") else "auto"},
            retries={"max_attempts": 3, "mode": "standard"},
            connect_timeout=10,
            read_timeout=20,
        ),
    )
    try:
        status = client.get_bucket_versioning(Bucket=bucket).get("Status")
    except (BotoCoreError, ClientError) as error:
        return Finding(bucket, False, f"its versioning could not be read ({error})")
    if status == "Enabled":
        return Finding(bucket, True, "versioning is enabled")
    return Finding(bucket, False, f"versioning is {status or 'not enabled'}")


def check_versioning(
    stack_dir: Path, environ: Mapping[str, str], *, require: bool = False
) -> Finding | None:
    """Warn (return the finding) or, in CI mode, raise when versions are not kept.

    CI mode is ``require`` (``--require-versioning``) or ``CI=true``, which
    GitHub Actions and most CI systems set.
    """
    backend = s3_backend(stack_dir)
    if backend is None:
        return None
    finding = probe(backend, environ)
    if finding.versioned:
        return finding
    strict = require or environ.get(CI_ENV, "").strip().lower() == "true"
    endpoint = (backend.get("endpoints") or {}).get("s3")
    enable = (
        f"aws s3api put-bucket-versioning --bucket {finding.bucket} "
        "--versioning-configuration Status=Enabled"
        + (f" --endpoint-url {endpoint}" if endpoint else "")
    )
    message = (
        f"state bucket {finding.bucket!r}: {finding.detail}, so an earlier state cannot be "
        f"restored after a bad apply (docs/state.md, Recovery). Enable it with: {enable}"
    )
    if strict:
        raise StateBucketError(f"{message}. Refusing to deploy in CI mode (CI=true).")
    return Finding(finding.bucket, False, message)
