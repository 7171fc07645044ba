"""The action's inputs: read from ``INPUT_*``, checked, and mapped onto ``WILDSIDE_*``.

The configuration itself is validated by ``app.config.load``, from the same
``WILDSIDE_*`` variables a user would set by hand, so the action accepts
exactly what ``wildside synth`` accepts. This module adds only what is the
action's own: required inputs, switches, the GitOps repository forms and the
Vault credentials, and it names problems by input rather than by field.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from app.config.load import CONFIG_ENV, NODE_POOLS_ENV
from wildside_constructs.problems import Problem
from wildside_constructs.registry import COMPONENTS

# Inputs whose values are secrets: masked before anything else is printed.
SECRET_INPUTS = (
    "gitops_token",
    "vault_role_id",
    "vault_secret_id",
    "digitalocean_token",
    "spaces_access_key",
    "spaces_secret_key",
    "flux_git_token",
)
REQUIRED_INPUTS = (
    "cluster_name",
    "environment",
    "region",
    "gitops_repository",
    "domain",
    "acme_email",
)
# Input -> the WILDSIDE_* variable it sets (only when not empty).
STRING_INPUTS = {
    "cluster_name": "WILDSIDE_CLUSTER_NAME",
    "environment": "WILDSIDE_ENVIRONMENT",
    "region": "WILDSIDE_REGION",
    "kubernetes_version": "WILDSIDE_KUBERNETES_VERSION",
    "domain": "WILDSIDE_DOMAIN",
    "acme_email": "WILDSIDE_ACME_EMAIL",
    "gitops_branch": "WILDSIDE_GITOPS_BRANCH",
    "node_pools": NODE_POOLS_ENV,
    "state_bucket": "WILDSIDE_STATE_BUCKET",
    "state_endpoint": "WILDSIDE_STATE_ENDPOINT",
    "gitops_push_budget": "WILDSIDE_GITOPS_PUSH_BUDGET",
}
SWITCH_INPUTS = {
    **{spec.action_input: spec.env for spec in COMPONENTS},
    "allow_destroy": "WILDSIDE_ALLOW_DESTROY",
}
# Switches of the action itself, not of the configuration.
ACTION_SWITCHES = ("dry_run", "allow_shared_change")
OTHER_INPUTS = (
    "gitops_repository",
    "vault_address",
    "vault_ca_certificate",
    "config",
)
ALL_INPUTS = (
    *STRING_INPUTS,
    *SWITCH_INPUTS,
    *ACTION_SWITCHES,
    *OTHER_INPUTS,
    *SECRET_INPUTS,
)
# Configuration fields (as problems name them) -> the input that sets them.
FIELD_INPUTS = {
    "cluster.name": "cluster_name",
    "cluster.environment": "environment",
    "cluster.region": "region",
    "cluster.kubernetes_version": "kubernetes_version",
    "cluster.domain": "domain",
    "cluster.acme_email": "acme_email",
    "cluster.allow_destroy": "allow_destroy",
    "node_pools": "node_pools",
    "gitops.repository_url": "gitops_repository",
    "gitops.remote": "gitops_repository",
    "gitops.branch": "gitops_branch",
    "gitops.push_budget_seconds": "gitops_push_budget",
    "state.bucket": "state_bucket",
    "state.endpoint": "state_endpoint",
    **{f"components.{spec.key}": spec.action_input for spec in COMPONENTS},
}

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}
_OWNER_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_ENV_INPUTS = {env: name for name, env in {**STRING_INPUTS, **SWITCH_INPUTS}.items()}


def read_inputs(environ: Mapping[str, str]) -> dict[str, str]:
    """Every known input from its ``INPUT_<NAME>`` variable, surrounding blanks removed."""
    return {name: environ.get(f"INPUT_{name.upper()}", "").strip() for name in ALL_INPUTS}


def input_for(field: str) -> str | None:
    """The input behind a problem's field, when one input sets it."""
    if field in _ENV_INPUTS:
        return _ENV_INPUTS[field]
    if field.startswith("INPUT_"):
        return field.removeprefix("INPUT_").lower()
    for known, name in FIELD_INPUTS.items():
        if field == known or field.startswith((f"{known}.", f"{known}[")):
            return name
    return None


def describe(problem: Problem) -> str:
    name = input_for(problem.field)
    where = f"input {name} ({problem.field})" if name and name != problem.field else problem.field
    return f"{where}: {problem.message}"


def switch(inputs: Mapping[str, str], name: str, problems: list[Problem]) -> bool:
    """A true/false input; an unknown word is a problem, never silently false."""
    text = inputs.get(name, "").lower()
    if text in _TRUE:
        return True
    if text not in _FALSE:
        problems.append(Problem(name, f"expected true or false, got {inputs[name]!r}"))
    return False


@dataclass(frozen=True)
class GitOpsTarget:
    """Where the run clones and pushes, and what Flux pulls."""

    remote: str
    # None: keep the configuration's gitops.repository_url (a local test remote).
    flux_url: str | None
    # Whether the push credential applies (an http(s) remote).
    http: bool


def _http_target(value: str, field: str) -> GitOpsTarget | Problem:
    parts = urlsplit(value)
    if parts.username is not None or parts.password is not None:
        return Problem(
            field,
            "must not carry credentials: give the bare URL and pass the token as "
            "gitops_token, which reaches git as a masked header, never in a URL",
        )
    if parts.scheme != "https" or not parts.hostname:
        return Problem(field, f"{value!r} must be an https:// URL")
    return GitOpsTarget(value, value, http=True)


def gitops_target(value: str, environ: Mapping[str, str]) -> GitOpsTarget | Problem:
    """``owner/repo``, an https:// URL, or (for tests) an absolute or ``./`` local path."""
    field = "gitops_repository"
    if value.startswith(("https://", "http://")):
        return _http_target(value, field)
    if value.startswith(("ssh://", "git@")):
        return Problem(
            field,
            "SSH remotes are not supported: the run pushes over HTTPS with gitops_token; "
            "give owner/repo or an https:// URL",
        )
    local: str | None = None
    if value.startswith("file://"):
        local = value
    elif value.startswith(("/", "./", "../")):
        workspace = Path(environ.get("GITHUB_WORKSPACE") or os.getcwd())
        local = str((workspace / value).resolve())
    elif _OWNER_REPO.match(value) and not value.startswith("."):
        server = (environ.get("GITHUB_SERVER_URL") or "https://github.com").rstrip("/")
        url = f"{server}/{value.removesuffix('.git')}.git"
        return GitOpsTarget(url, url, http=url.startswith(("https://", "http://")))
    if local is not None:
        return GitOpsTarget(local, None, http=False)
    return Problem(
        field,
        f"{value!r} is not owner/repo, an https:// URL or an absolute (or ./) local path",
    )


def check_required(inputs: Mapping[str, str]) -> list[Problem]:
    return [
        Problem(name, "is required; set it in the step's `with:`")
        for name in REQUIRED_INPUTS
        if not inputs.get(name)
    ]


def config_overrides(
    inputs: Mapping[str, str],
    target: GitOpsTarget | None,
    work: Path,
    environ: Mapping[str, str],
    problems: list[Problem],
) -> dict[str, str]:
    """The ``WILDSIDE_*`` variables the inputs set; empty inputs leave the file's values."""
    overrides = {env: inputs[name] for name, env in STRING_INPUTS.items() if inputs.get(name)}
    for name, env in SWITCH_INPUTS.items():
        if inputs.get(name):
            overrides[env] = "true" if switch(inputs, name, problems) else "false"
    if inputs.get("state_bucket"):
        overrides["WILDSIDE_STATE_BACKEND"] = "s3"
    if target is not None:
        overrides["WILDSIDE_GITOPS_REMOTE"] = target.remote
        if target.flux_url:
            overrides["WILDSIDE_GITOPS_REPOSITORY"] = target.flux_url
    overrides["WILDSIDE_GITOPS_DIR"] = str(work / "gitops")
    if inputs.get("config"):
        workspace = Path(environ.get("GITHUB_WORKSPACE") or os.getcwd())
        path = (workspace / inputs["config"]).resolve()
        if not path.is_file():
            problems.append(
                Problem("config", f"{inputs['config']!r} is not a file in the workspace")
            )
        overrides[CONFIG_ENV] = str(path)
    return overrides
