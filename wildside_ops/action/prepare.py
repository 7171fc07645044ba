"""``wildside action prepare``: check the inputs, gather the secrets, hand them on.

Order matters: every secret input is registered with the runner's masker
before this step prints anything else, and every secret read from Vault is
masked before it is stored or exported. Secrets reach later steps only
through the GITHUB_ENV file, never on a command line or in a URL.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from app.config.errors import ConfigError
from app.config.load import load_config
from app.config.model import WildsideConfig
from app.log import say, step
from wildside_constructs.problems import Problem
from wildside_ops import flux_key
from wildside_ops.action import gitauth, run_file, secrets
from wildside_ops.action.inputs import (
    SECRET_INPUTS,
    GitOpsTarget,
    check_required,
    config_overrides,
    describe,
    gitops_target,
    read_inputs,
    switch,
)
from wildside_ops.action.run_file import RunRecord
from wildside_ops.action.runner import ActionError, annotate, export, require_runner
from wildside_ops.action.vault_access import settings, write_ca_file
from wildside_ops.vault import VaultClient, VaultError, VaultSettings, secret_paths
from wildside_ops.vault.errors import VaultConfigError
from wildside_ops.vault.masking import mask

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


class InputProblems(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} input problem(s)")
        self.problems = problems


def _report(problems: list[Problem]) -> int:
    for problem in problems:
        annotate("error", describe(problem), title="wildside-infra-k8s input")
    say(f"{len(problems)} problem(s) with the inputs; nothing was exported")
    return EXIT_BAD_INPUT


def _vault_problems(inputs: Mapping[str, str], vault_eso: bool) -> list[Problem]:
    address = inputs["vault_address"]
    given = [name for name in ("vault_role_id", "vault_secret_id") if inputs[name]]
    if address:
        return [
            Problem(name, "is required with vault_address (the AppRole login)")
            for name in ("vault_role_id", "vault_secret_id")
            if name not in given
        ]
    found = [Problem("vault_address", f"is empty but {', '.join(given)} given")] if given else []
    if vault_eso:
        found.append(
            Problem(
                "vault_address",
                "is required while enable_vault_eso is true: the run configures Vault's "
                "Kubernetes auth for the cluster's External Secrets Operator. Give "
                "vault_address, vault_role_id and vault_secret_id, or set enable_vault_eso: false",
            )
        )
    return found


def _check(
    inputs: Mapping[str, str], environ: Mapping[str, str], work: Path
) -> tuple[RunRecord, WildsideConfig, GitOpsTarget]:
    """Every input problem at once, or the validated run."""
    problems = check_required(inputs)
    target: GitOpsTarget | None = None
    if inputs["gitops_repository"]:
        found = gitops_target(inputs["gitops_repository"], environ)
        if isinstance(found, Problem):
            problems.append(found)
        else:
            target = found
    dry_run = switch(inputs, "dry_run", problems)
    allow_shared = switch(inputs, "allow_shared_change", problems)
    overrides = config_overrides(inputs, target, work, environ, problems)
    config: WildsideConfig | None = None
    try:
        config = load_config({**environ, **overrides})
    except ConfigError as error:
        problems.extend(error.problems)
    # Without a configuration, the input alone says whether ESO is wanted.
    vault_eso = (
        config.components.vault_eso if config else inputs["enable_vault_eso"].lower() != "false"
    )
    problems.extend(_vault_problems(inputs, vault_eso))
    if config is not None and config.state.backend != "s3":
        problems.append(
            Problem(
                "state_bucket",
                "is required (or [state] backend = 's3' in the config file): a runner's "
                "local state is lost when the job ends, and the next run would try to "
                "create the cluster again",
            )
        )
    ca_file = ""
    if inputs["vault_ca_certificate"] and inputs["vault_address"]:
        try:
            ca_file = str(write_ca_file(inputs["vault_ca_certificate"], work))
        except VaultConfigError as error:
            problems.append(Problem("vault_ca_certificate", str(error)))
    if problems or config is None or target is None:
        raise InputProblems(problems)
    run = RunRecord(
        cluster=config.cluster.name,
        overrides=overrides,
        dry_run=dry_run,
        allow_shared_change=allow_shared,
        vault_address=inputs["vault_address"],
        vault_ca_file=ca_file,
        git_config_base=gitauth.base_count(environ),
    )
    return run, config, target


def _vault_settings(run: RunRecord, inputs: Mapping[str, str]) -> VaultSettings:
    try:
        return settings(
            run.vault_address,
            inputs["vault_role_id"],
            inputs["vault_secret_id"],
            run.vault_ca_file,
            os.environ,
        )
    except VaultConfigError as error:
        raise InputProblems([Problem("vault_address", str(error))]) from None


def _where(name: str, run: RunRecord, kv_mount: str) -> str:
    if name == secrets.FLUX_SSH_KEY:
        return (
            "give vault_address, vault_role_id and vault_secret_id (the key is read from "
            "where `wildside gitops bootstrap` keeps it), or set TF_VAR_flux_git_ssh_key in "
            "the workflow's env"
        )
    ref = secret_paths.resolve(run.cluster)[name]
    place = f"Vault at {kv_mount}/{ref}"
    if name == "state_passphrase":
        return f"set TF_VAR_state_passphrase in the workflow's env, or store it in {place}"
    return f"give the {name} input, or store it in {place}"


def _deploy_key(client: VaultClient, config: WildsideConfig, resolved: secrets.Resolved) -> None:
    """Flux's deploy key from where ``wildside gitops bootstrap`` keeps it (masked first)."""
    try:
        private, version = flux_key.read_key(client, flux_key.key_path(config))
    except flux_key.DeployKeyError as error:
        raise InputProblems([Problem("gitops.auth", str(error))]) from None
    resolved.values[secrets.FLUX_SSH_KEY] = private
    resolved.sources[secrets.FLUX_SSH_KEY] = "Vault"
    resolved.public[flux_key.SSH_KEY_VERSION_ENV] = str(version)


def _gather(
    run: RunRecord, config: WildsideConfig, target: GitOpsTarget, inputs: Mapping[str, str]
) -> secrets.Resolved:
    names = secrets.needed(config, http_remote=target.http)
    resolved = secrets.from_inputs_and_environment(names, inputs, os.environ)
    for value in resolved.values.values():
        mask(value)
    missing = resolved.missing(names)
    kv_mount = "secret"
    if run.vault:
        vault_settings = _vault_settings(run, inputs)
        kv_mount = vault_settings.kv_mount
        title = f"reading {', '.join(missing)} from Vault" if missing else "logging in to Vault"
        with step(title), VaultClient.login(vault_settings) as client:
            cluster_missing = tuple(name for name in missing if name != secrets.FLUX_SSH_KEY)
            if cluster_missing:
                # read_secrets masks each value before returning it.
                found = client.read_cluster_secrets(run.cluster, names=cluster_missing, mask=True)
                resolved.values.update(found)
                resolved.sources.update({name: "Vault" for name in found})
            if secrets.FLUX_SSH_KEY in missing:
                _deploy_key(client, config, resolved)
    problems = [
        Problem(name, f"is needed because {secrets.WHY[name]}: {_where(name, run, kv_mount)}")
        for name in resolved.missing(names)
    ]
    if problems:
        raise InputProblems(problems)
    return resolved


def _export(
    run: RunRecord, target: GitOpsTarget, resolved: secrets.Resolved, inputs: Mapping[str, str]
) -> RunRecord:
    exported: list[str] = []
    for variable, value in secrets.exports(resolved, inputs).items():
        # A variable the workflow already set to this value stays the workflow's.
        if os.environ.get(variable) != value:
            export(variable, value, secret=True)
            exported.append(variable)
    for variable, value in resolved.public.items():
        export(variable, value, secret=False)
    token = resolved.values.get("gitops_token", "")
    if target.http and token:
        auth = gitauth.push_auth(target.remote, token, os.environ)
        for value in auth.secret_values:
            mask(value)
        for variable, value in auth.variables.items():
            export(variable, value, secret=variable in auth.secret_names)
            if variable != gitauth.COUNT:
                exported.append(variable)
    return replace(run, secret_env=tuple(exported))


def run() -> int:
    require_runner()
    inputs = read_inputs(os.environ)
    # First of all: the runner hides a value only from the moment it is registered.
    for name in SECRET_INPUTS:
        if inputs[name]:
            mask(inputs[name])
    run_file.clear()
    work = run_file.work_dir()
    try:
        with step("checking the inputs"):
            record, config, target = _check(inputs, os.environ, work)
            say(
                f"cluster {record.cluster}; GitOps {target.remote} "
                f"(branch {config.gitops.branch}); dry run: {str(record.dry_run).lower()}; "
                f"Vault: {record.vault_address or 'not used'}"
            )
        resolved = _gather(record, config, target, inputs)
        with step("handing the run's settings to the next steps"):
            for name in sorted(resolved.sources):
                say(f"{name}: from {resolved.sources[name]}")
            record = _export(record, target, resolved, inputs)
            path = run_file.save(record)
            say(f"settings saved to {path}; {len(record.secret_env)} secret variable(s) set")
    except InputProblems as error:
        return _report(error.problems)
    except VaultError as error:
        raise ActionError(f"Vault: {error}") from error
    return EXIT_OK
