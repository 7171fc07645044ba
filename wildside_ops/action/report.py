"""``wildside action outputs``: the action's outputs, the job summary, then clean-up.

It runs even when an earlier step failed (``if: always()``), so the summary
says how far the run got, and the secrets ``prepare`` exported are blanked
for the rest of the job either way: GITHUB_ENV cannot unset a variable, so
each is set to the empty string, and git's extra configuration entry is
dropped by restoring ``GIT_CONFIG_COUNT``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from app.log import say, step
from wildside_ops.action import gitauth, run_file
from wildside_ops.action.run_file import CHANGES_ENV, PLAN_ENV, RunRecord
from wildside_ops.action.runner import (
    ActionError,
    append_summary,
    export,
    require_runner,
    set_output,
)

EXIT_OK = 0
# Action output -> the variable an earlier step exported it as.
OUTPUT_SOURCES = {
    "cluster_id": "CLUSTER_ID",
    "cluster_endpoint": "CLUSTER_ENDPOINT",
    "gitops_commit_sha": "GITOPS_COMMIT_SHA",
    "rendered_manifest_count": "RENDERED_MANIFEST_COUNT",
}
OUTPUTS = ("cluster_name", *OUTPUT_SOURCES)


def collect(run: RunRecord | None, environ: Mapping[str, str]) -> dict[str, str]:
    values = {"cluster_name": run.cluster if run else ""}
    values.update({name: environ.get(source, "") for name, source in OUTPUT_SOURCES.items()})
    return values


def _cell(value: str) -> str:
    # Values are ids, URLs and counts; anything table-breaking is dropped, not escaped.
    clean = value.replace("|", "").replace("`", "").replace("\n", " ").strip()
    return f"`{clean}`" if clean else "n/a"


def summary(values: Mapping[str, str], run: RunRecord | None, environ: Mapping[str, str]) -> str:
    if run is None:
        heading = "### wildside-infra-k8s: the inputs were not accepted"
    else:
        mode = " (dry run)" if run.dry_run else ""
        heading = f"### wildside-infra-k8s: cluster `{run.cluster}`{mode}"
    rows = [(name, _cell(value)) for name, value in values.items()]
    rows.append(("cluster-stack plan", _cell(environ.get(PLAN_ENV, ""))))
    rows.append(("GitOps files", _cell(environ.get(CHANGES_ENV, ""))))
    lines = [heading, "", "| output | value |", "| --- | --- |"]
    lines += [f"| {name} | {value} |" for name, value in rows]
    if run is not None and run.dry_run:
        lines += ["", "Dry run: nothing was applied, committed or pushed."]
    return "\n".join(lines) + "\n"


def scrub(run: RunRecord) -> int:
    """Blank the secret variables for the job's later steps; return how many."""
    names = list(run.secret_env)
    for name in names:
        export(name, "", secret=False)
    if any(name.startswith("GIT_CONFIG_") for name in names):
        export(gitauth.COUNT, str(run.git_config_base), secret=False)
    return len(names)


def run() -> int:
    require_runner()
    try:
        record: RunRecord | None = run_file.load()
    except ActionError:
        record = None
    with step("setting the action's outputs"):
        values = collect(record, os.environ)
        for name, value in values.items():
            set_output(name, value)
            say(f"{name} = {value or '(empty)'}")
        if not append_summary(summary(values, record, os.environ)):
            say("no GITHUB_STEP_SUMMARY file: job summary skipped")
    if record is not None:
        with step("removing this run's secrets from the job's environment"):
            say(f"{scrub(record)} variable(s) blanked for the job's later steps")
    return EXIT_OK
