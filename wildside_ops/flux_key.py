"""The Flux deploy key at deploy time (``gitops.auth = "ssh"``).

``wildside gitops bootstrap`` keeps the key's private half in Vault; here it
is read back from the same path (``wildside_ops.repo_bootstrap.deploy_key``),
masked when running under GitHub Actions, and handed to the engine only as
the sensitive variable ``TF_VAR_flux_git_ssh_key``, which fills the
``flux-system`` Secret write-only (docs/flux-bootstrap.md). It is never
written to a file, a log or ``os.environ``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from app.config.model import WildsideConfig
from wildside_constructs.cluster.git_ssh import SSH_KEY_VARIABLE, SSH_KEY_VERSION_VARIABLE
from wildside_ops.vault import masking

if TYPE_CHECKING:
    from wildside_ops.vault import VaultClient

__all__ = [
    "SSH_KEY_ENV",
    "SSH_KEY_VERSION_ENV",
    "DeployKeyError",
    "engine_variables",
    "key_path",
    "needs_key",
    "read_key",
    "stack_needs_key",
]

SSH_KEY_ENV = f"TF_VAR_{SSH_KEY_VARIABLE}"
SSH_KEY_VERSION_ENV = f"TF_VAR_{SSH_KEY_VERSION_VARIABLE}"


class DeployKeyError(Exception):
    """The key cannot be had; the message names the fix. Bad input (set-up), not a refusal."""


def needs_key(config: WildsideConfig) -> bool:
    return config.flux.bootstrap and config.gitops.auth == "ssh"


def key_path(config: WildsideConfig) -> str:
    """The KV path ``wildside gitops bootstrap`` writes this repository's key to."""
    from wildside_ops.repo_bootstrap.deploy_key import derive_vault_path

    gitops = config.gitops
    path = gitops.deploy_key_vault_path or derive_vault_path(gitops.repository_url)
    if not path:  # the configuration's validation refuses this first
        raise DeployKeyError("gitops.deploy_key_vault_path: give the deploy key's KV path")
    return path


def read_key(vault: VaultClient, path: str) -> tuple[str, int]:
    """(private key, KV version); masked first when running under GitHub Actions."""
    from wildside_ops.repo_bootstrap.deploy_key import IDENTITY

    secret = vault.read_kv_optional(path)
    private = str(secret.data.get(IDENTITY, "")) if secret is not None else ""
    if secret is None or not private.strip():
        raise DeployKeyError(
            f"no deploy key at {vault.kv_mount}/{path} (key {IDENTITY!r}), which "
            'gitops.auth = "ssh" needs: run `wildside gitops bootstrap` first, or set '
            "gitops.deploy_key_vault_path to where the key is kept"
        )
    vault.remember_secret(private)
    if masking.in_github_actions():
        masking.mask(private)
    return private, secret.version


def stack_needs_key(stack_dir: Path) -> bool:
    """Whether the synthesised stack declares the key's variable (what the engine will ask)."""
    try:
        stack = json.loads((stack_dir / "cdk.tf.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False  # the engine's own checks report a missing or broken stack
    variables = stack.get("variable") if isinstance(stack, dict) else None
    return isinstance(variables, dict) and SSH_KEY_VARIABLE in variables


def engine_variables(path: str, environ: Mapping[str, str]) -> dict[str, str]:
    """The variables to add to the engine's environment: the key at ``path`` in Vault.

    A key already in ``TF_VAR_flux_git_ssh_key`` (set by the workflow, or by
    ``wildside action prepare``) is used as it is, and Vault is not asked.
    """
    if environ.get(SSH_KEY_ENV):
        return {}
    from wildside_ops.vault import VaultClient, VaultSettings
    from wildside_ops.vault.errors import VaultConfigError

    try:
        settings = VaultSettings.from_env(environ)
    except VaultConfigError as error:
        raise DeployKeyError(
            f'gitops.auth = "ssh": Flux\'s deploy key is read from Vault at {path}, but '
            f"Vault cannot be used: {error}. Set VAULT_ADDR, VAULT_ROLE_ID and "
            "VAULT_SECRET_ID (an AppRole that may read that path), give the key itself in "
            f'{SSH_KEY_ENV}, or use gitops.auth = "https"'
        ) from error
    with VaultClient.login(settings) as vault:
        private, version = read_key(vault, path)
    return {SSH_KEY_ENV: private, SSH_KEY_VERSION_ENV: str(version)}
