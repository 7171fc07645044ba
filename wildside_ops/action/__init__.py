"""The ``wildside-infra-k8s`` GitHub Action's steps: ``wildside action <step>``.

The composite action (``.github/actions/wildside-infra-k8s/action.yml``) runs
four steps, each one command of this package:

``prepare``
    Read the ``INPUT_*`` variables, mask every secret, validate the inputs by
    building the configuration, read the run's remaining secrets from Vault
    and hand them to later steps through GITHUB_ENV.
``deploy``
    Plan cluster-stack (dry run) or plan and apply it, read the cluster's
    outputs, store the kubeconfig in Vault and configure Vault's Kubernetes
    auth for the cluster.
``publish``
    Render platform-stack and publish it into the GitOps repository (a preview
    in a dry run).
``outputs``
    Set the action's outputs, write the job summary and blank the secrets this
    run put into the job's environment.

Non-secret settings travel between steps in a run file under RUNNER_TEMP
(``wildside_ops.action.run_file``), so no later ``env:`` at workflow or job level can
change what an earlier step validated.
"""
