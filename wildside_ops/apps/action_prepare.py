"""``wildside app prepare``: the first step of the ``wildside-app`` action.

Masks every secret input, fills the ones not given from Vault (AppRole, as the
infra action does), and hands them to later steps through GITHUB_ENV only: the
apps repository's push token as a git ``http.<url>.extraheader`` (never in a
URL), the GitHub token as ``GITHUB_TOKEN``. Nothing secret reaches a file of
the workspace, a command line, Git or the log.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from app.log import say
from wildside_ops.action.gitauth import push_auth
from wildside_ops.vault import VaultClient, VaultError, VaultSettings
from wildside_ops.vault.errors import VaultConfigError
from wildside_ops.vault.masking import export_env, export_output, mask

__all__ = ["SECRET_INPUTS", "from_action", "prepare"]

SECRET_INPUTS = ("vault_role_id", "vault_secret_id", "apps_token", "github_token")
# Vault properties at the CI path, by the input they stand in for.
PROPERTIES = {"apps_token": "apps_repository_token", "github_token": "github_token"}


def _inputs(environ: Mapping[str, str]) -> dict[str, str]:
    names = (*SECRET_INPUTS, "vault_address", "vault_path", "apps_repository", "app")
    return {name: environ.get(f"INPUT_{name.upper()}", "").strip() for name in names}


def _from_vault(inputs: dict[str, str], wanted: list[str]) -> dict[str, str]:
    settings = VaultSettings(
        address=inputs["vault_address"],
        role_id=inputs["vault_role_id"],
        secret_id=inputs["vault_secret_id"],
    )
    path = inputs["vault_path"] or f"wildside/apps/{inputs['app']}/ci"
    with VaultClient.login(settings) as client:
        secret = client.read_kv(path)
    found: dict[str, str] = {}
    for name in wanted:
        value = secret.data.get(PROPERTIES[name])
        if not isinstance(value, str) or not value:
            raise VaultError(f"Vault path {path} has no property {PROPERTIES[name]!r} ({name})")
        mask(value)
        found[name] = value
    return found


def prepare(environ: Mapping[str, str] | None = None) -> int:
    """Run the step; exit code 0, 1 (Vault failed) or 2 (inputs incomplete)."""
    env = os.environ if environ is None else environ
    inputs = _inputs(env)
    for name in SECRET_INPUTS:
        if inputs[name]:
            mask(inputs[name])
    wanted = [name for name in PROPERTIES if not inputs[name]]
    if wanted and not inputs["vault_address"]:
        say(
            f"{', '.join(wanted)}: not given and vault_address is empty; pass them as "
            "secrets, or give vault_address, vault_role_id and vault_secret_id"
        )
        return 2
    if wanted:
        try:
            inputs.update(_from_vault(inputs, wanted))
        except VaultConfigError as error:
            say(f"vault settings: {error}")
            return 2
        except VaultError as error:
            say(f"reading the CI secrets from Vault failed: {error}")
            return 1
    remote = inputs["apps_repository"]
    if remote.startswith("https://"):
        auth = push_auth(remote, inputs["apps_token"], env)
        for value in auth.secret_values:
            mask(value)
        for name, value in auth.variables.items():
            export_env(name, value, secret=name in auth.secret_names)
    export_env("GITHUB_TOKEN", inputs["github_token"])
    export_env("WILDSIDE_APPS_REMOTE", remote, secret=False)
    say("prepared: secrets masked and exported for the following steps")
    return 0


def from_action(environ: Mapping[str, str] | None = None) -> int:
    """The action's main step: the operation and its arguments from ``INPUT_*``."""
    from app.cli import main

    env = os.environ if environ is None else environ
    operation = env.get("INPUT_OPERATION", "").strip()
    if operation not in ("deploy", "teardown", "gc"):
        say(f"operation: {operation!r} is not deploy, teardown or gc")
        return 2
    for name, variable in (("APP", "WILDSIDE_APPS_NAME"), ("APPS_BRANCH", "WILDSIDE_APPS_BRANCH")):
        if value := env.get(f"INPUT_{name}", "").strip():
            os.environ[variable] = value
    folder = Path(env.get("RUNNER_TEMP") or tempfile.gettempdir())
    result = folder / "wildside-app-result.json"
    result.unlink(missing_ok=True)
    code = main(_argv(env, operation, result))
    if result.exists() and env.get("GITHUB_OUTPUT"):
        outcome = json.loads(result.read_text())
        for name in ("preview_url", "commit_sha"):
            export_output(name, str(outcome.get(name, "")), secret=False)
    return code


def _argv(env: Mapping[str, str], operation: str, result: Path) -> list[str]:
    argv = ["app", operation]
    if config := env.get("INPUT_CONFIG", "").strip():
        argv += ["--config", config]
    if operation != "gc":
        argv += ["--pr", env.get("INPUT_PR_NUMBER", "").strip(), "--result-json", str(result)]
    if operation == "deploy":
        argv += ["--sha", env.get("INPUT_SHA", "").strip()]
        for line in env.get("INPUT_IMAGES", "").splitlines():
            if line.strip():
                argv += ["--image", line.strip()]
    return argv
