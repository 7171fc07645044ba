"""What ``prepare`` decided, kept for the later steps of the same job.

The file lives in RUNNER_TEMP, which the runner empties at the start and end
of every job, and holds no secret: only the ``WILDSIDE_*`` settings the
inputs resolved to, the mode and the names (not values) of the variables the
run exported. Later steps apply these settings over their environment, so a
workflow or job ``env:`` of the same name cannot change, between steps, what
``prepare`` validated.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping, MutableMapping
from dataclasses import asdict, dataclass
from pathlib import Path

from wildside_ops.action.runner import ActionError

WORK_FOLDER = "wildside-infra-k8s"
RUN_FILE = "run.json"
# Informational results the steps export for the job summary (not secrets).
PLAN_ENV = "WILDSIDE_ACTION_PLAN"
CHANGES_ENV = "WILDSIDE_ACTION_GITOPS_CHANGES"


def work_dir(environ: Mapping[str, str] | None = None) -> Path:
    """This run's scratch folder: GitOps clone, synth output, the Vault CA file."""
    env = os.environ if environ is None else environ
    base = env.get("RUNNER_TEMP") or tempfile.gettempdir()
    return Path(base) / WORK_FOLDER


@dataclass(frozen=True)
class RunRecord:
    cluster: str
    # WILDSIDE_* variable -> value: the configuration the inputs asked for.
    overrides: dict[str, str]
    dry_run: bool = False
    allow_shared_change: bool = False
    vault_address: str = ""
    vault_ca_file: str = ""
    # Variables exported with secret values, blanked by the last step.
    secret_env: tuple[str, ...] = ()
    # GIT_CONFIG_COUNT as it was before this run added the push credential.
    git_config_base: int = 0

    @property
    def vault(self) -> bool:
        return bool(self.vault_address)


def run_file_path(environ: Mapping[str, str] | None = None) -> Path:
    return work_dir(environ) / RUN_FILE


def clear(environ: Mapping[str, str] | None = None) -> None:
    """Forget an earlier attempt, so a failed prepare leaves nothing to trust."""
    run_file_path(environ).unlink(missing_ok=True)


def save(record: RunRecord, environ: Mapping[str, str] | None = None) -> Path:
    path = run_file_path(environ)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = asdict(record)
    data["secret_env"] = list(record.secret_env)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    temporary.replace(path)
    return path


def load(environ: Mapping[str, str] | None = None) -> RunRecord:
    path = run_file_path(environ)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ActionError(
            f"{path} does not exist: `wildside action prepare` must run (and succeed) "
            "earlier in the same job"
        ) from None
    data["secret_env"] = tuple(data.get("secret_env", ()))
    return RunRecord(**data)


def apply(record: RunRecord, environ: MutableMapping[str, str] | None = None) -> None:
    """Put the validated settings into this process's environment."""
    env = os.environ if environ is None else environ
    env.update(record.overrides)
