"""``wildside action prepare|deploy|publish|outputs``: the composite action's steps.

Registered by app/cli.py; nothing heavy is imported until a step runs.
"""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Callable
from typing import Any

EXIT_FAILED = 1

_EPILOG = """\
These commands are the steps of .github/actions/wildside-infra-k8s and run only
inside a GitHub Actions job (GITHUB_ACTIONS=true, GITHUB_ENV and GITHUB_OUTPUT
set). Inputs arrive as INPUT_<NAME> variables from the step's env: block;
secrets are masked with ::add-mask:: before use and handed to later steps only
through GITHUB_ENV. Settings pass between steps in
$RUNNER_TEMP/wildside-infra-k8s/run.json (no secrets).

exit codes: 0 success, 1 a step failed (engine, git, Vault), 2 bad input.
"""

_STEPS: dict[str, tuple[str, str]] = {
    "prepare": (
        "check the inputs, mask every secret, read the rest from Vault, export them",
        "Mask every secret input, then validate the inputs by building the configuration "
        "from them (as WILDSIDE_* variables; every problem is reported at once, each as an "
        "error annotation naming the input). With vault_address, log in with AppRole and "
        "read the secrets the run needs and the inputs did not give (DigitalOcean token, "
        "Spaces keys, GitOps token, state passphrase). Export them through GITHUB_ENV, the "
        "GitOps token as a git http.<url>.extraheader in GIT_CONFIG_* variables.",
    ),
    "deploy": (
        "plan (dry run) or deploy cluster-stack; store the kubeconfig and configure Vault",
        "Synthesise cluster-stack and run the engine (tofu, or TERRAFORM_BINARY_NAME): a dry "
        "run plans only; otherwise the plan is applied when it has changes. Then read the "
        "cluster's outputs, export CLUSTER_ID and CLUSTER_ENDPOINT, and, with Vault, store "
        "the kubeconfig in KV and configure Vault's Kubernetes auth for the cluster's "
        "External Secrets Operator (both idempotent; skipped in a dry run).",
    ),
    "publish": (
        "render platform-stack and publish it to the GitOps repository (preview if dry run)",
        "Synthesise platform-stack and publish its manifests into the GitOps repository: "
        "commit and push when anything changed, nothing otherwise. A dry run prints the "
        "files that would change and the diff. Exports GITOPS_COMMIT_SHA (empty when "
        "nothing was committed) and RENDERED_MANIFEST_COUNT.",
    ),
    "outputs": (
        "set the action's outputs and job summary; blank this run's secrets",
        "Write cluster_name, cluster_id, cluster_endpoint, gitops_commit_sha and "
        "rendered_manifest_count to GITHUB_OUTPUT and a table to GITHUB_STEP_SUMMARY, then "
        "set every secret variable prepare exported to the empty string for the job's "
        "later steps. Runs even when an earlier step failed.",
    ),
}


def add_parser(commands: Any) -> None:
    """Register ``action`` and its four steps on ``wildside``'s subparsers object."""
    action = commands.add_parser(
        "action",
        help="the steps of the wildside-infra-k8s GitHub Action (CI only)",
        description="The steps of the wildside-infra-k8s composite action, in order: "
        "prepare, deploy, publish, outputs.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    steps = action.add_subparsers(dest="action_step", metavar="STEP", required=True)
    for name, (summary, description) in _STEPS.items():
        steps.add_parser(
            name,
            help=summary,
            description=textwrap.fill(description, 79),
            epilog=_EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )


def _entry(name: str) -> Callable[[], int]:
    if name == "prepare":
        from wildside_ops.action import prepare

        return prepare.run
    if name == "deploy":
        from wildside_ops.action import deploy

        return deploy.run
    if name == "publish":
        from wildside_ops.action import publish

        return publish.run
    from wildside_ops.action import report

    return report.run


def run(args: argparse.Namespace) -> int:
    from app.runtime import prepare_node
    from wildside_ops.action.runner import ActionError, fail

    # jsii (loaded by deploy and publish) must find the project's Node first.
    prepare_node()
    try:
        return _entry(args.action_step)()
    except ActionError as error:
        return fail(error)
