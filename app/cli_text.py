"""The help texts of ``wildside``'s commands, kept apart from the parser that shows them."""

from __future__ import annotations

__all__ = ["ACTION_EPILOG", "ENGINE_EPILOG", "EPILOG", "STEPS"]

EPILOG = """\
configuration: the TOML file named by WILDSIDE_CONFIG (default: the embedded
example, a cluster named "dev" with every component enabled), overridden by
WILDSIDE_* variables such as WILDSIDE_CLUSTER_NAME, WILDSIDE_DOMAIN,
WILDSIDE_GITOPS_DIR, WILDSIDE_GITOPS_REMOTE, WILDSIDE_GITOPS_BRANCH and
WILDSIDE_ENABLE_<COMPONENT>=true|false and WILDSIDE_GITOPS_PUSH_BUDGET (seconds
to keep retrying rejected pushes, default 300). See README.md.

exit codes: 0 success, 1 a step failed (git, engine), 2 bad input (nothing written).
"""


ENGINE_EPILOG = """\
engine: OpenTofu (`tofu`) by default; TERRAFORM_BINARY_NAME=terraform runs
Terraform instead (which cannot encrypt state: state.encryption needs tofu).
The stack is synthesised into --outdir, then `init` and `plan -detailed-exitcode`
run in <outdir>/stacks/cluster-stack with TF_IN_AUTOMATION=1.

credentials come from the environment only, never from files or the JSON:
DIGITALOCEAN_TOKEN (DIGITALOCEAN_ACCESS_TOKEN for doctl), AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY (Spaces state), TF_VAR_flux_git_token (private GitOps
repository), TF_VAR_state_passphrase (state encryption). With gitops.auth = "ssh"
Flux's deploy key is read from Vault (VAULT_ADDR, VAULT_ROLE_ID, VAULT_SECRET_ID)
unless TF_VAR_flux_git_ssh_key holds it.
"""

ACTION_EPILOG = """\
These commands are the steps of .github/actions/wildside-infra-k8s and run only
inside a GitHub Actions job (GITHUB_ACTIONS=true, GITHUB_ENV and GITHUB_OUTPUT
set). Inputs arrive as INPUT_<NAME> variables from the step's env: block;
secrets are masked with ::add-mask:: before use and handed to later steps only
through GITHUB_ENV. Settings pass between steps in
$RUNNER_TEMP/wildside-infra-k8s/run.json (no secrets).

exit codes: 0 success, 1 a step failed (engine, git, Vault), 2 bad input.
"""

STEPS: dict[str, tuple[str, str]] = {
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
