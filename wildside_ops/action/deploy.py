"""``wildside action deploy``: plan (dry run) or deploy cluster-stack, then wire Vault.

The engine is driven by ``wildside_ops.engine``, as ``wildside plan``/``wildside
deploy`` drive it: a dry run plans only; otherwise the saved plan is applied
when it has changes. After an apply, the kubeconfig goes to Vault (KV), and
the cluster's ESO gets its way in to Vault: Kubernetes auth configured for the
cluster, or (``auth = "approle"``) its own AppRole secret ID written straight
into the cluster as a Secret. All of it is idempotent.
"""

from __future__ import annotations

import os
from pathlib import Path

from app.config.errors import ConfigError
from app.config.load import load_config
from app.config.model import WildsideConfig
from app.log import say, step
from app.synth import CLUSTER_STACK, SynthOptions, synthesise
from wildside_constructs.settings.vault import ESO_NAMESPACE, VaultEsoSettings, approle_role_name
from wildside_constructs.validation.errors import RenderError
from wildside_ops.action import run_file
from wildside_ops.action.cluster_outputs import (
    ClusterOutputs,
    cluster_outputs,
    kubernetes_ca,
    read_outputs,
)
from wildside_ops.action.run_file import PLAN_ENV, RunRecord
from wildside_ops.action.runner import ActionError, annotate, export, require_runner
from wildside_ops.action.vault_access import settings
from wildside_ops.engine import EngineError, PlanOutcome, describe, plan_stack, stack_folder
from wildside_ops.kube import KubeError, KubeSecrets
from wildside_ops.state_bucket import StateBucketError, check_versioning
from wildside_ops.vault import VaultClient, VaultError
from wildside_ops.vault.approle_eso import ensure_eso_approle
from wildside_ops.vault.k8s_auth import auth_mount, ensure_kubernetes_auth

EXIT_OK = 0
_PLAN_WORDS = {
    (PlanOutcome.NO_CHANGES, False): "no changes",
    (PlanOutcome.CHANGES, False): "changes applied",
    (PlanOutcome.NO_CHANGES, True): "no changes (dry run)",
    (PlanOutcome.CHANGES, True): "changes pending (dry run: not applied)",
}


def _store_in_vault(run: RunRecord, cluster: ClusterOutputs, eso: VaultEsoSettings | None) -> None:
    """Kubeconfig into KV, then the way the cluster's ESO logs in to Vault.

    What Vault must grant follows the cluster's own vault_eso settings (its
    auth method and KV mount), not the mounts this run reads its secrets from.
    """
    vault_settings = settings(
        run.vault_address,
        os.environ.get("INPUT_VAULT_ROLE_ID", "").strip(),
        os.environ.get("INPUT_VAULT_SECRET_ID", "").strip(),
        run.vault_ca_file,
        os.environ,
    )
    with VaultClient.login(vault_settings) as vault:
        if vault.write_kubeconfig(run.cluster, cluster.kubeconfig):
            say("kubeconfig stored in Vault")
        else:
            say("kubeconfig in Vault already up to date")
        if eso is None:
            say("ESO login: nothing to set up (vault_eso is off)")
            return
        if eso.auth == "kubernetes":
            ca_pem = kubernetes_ca(cluster.kubeconfig, cluster.endpoint)
            changes = ensure_kubernetes_auth(
                vault, run.cluster, cluster.endpoint, ca_pem, kv_mount=eso.kv_mount
            )
            unchanged = f"Kubernetes auth at auth/{auth_mount(run.cluster)} already up to date"
        else:
            # The secret ID goes from Vault straight into the cluster, never via Git.
            with KubeSecrets(cluster.kubeconfig) as secrets:
                changes = ensure_eso_approle(
                    vault, run.cluster, eso.approle, secrets, kv_mount=eso.kv_mount
                )
            unchanged = (
                f"AppRole {approle_role_name(run.cluster)} and Secret "
                f"{ESO_NAMESPACE}/{eso.approle.secret_name} already up to date"
            )
    for change in changes:
        say(f"ESO login: {change}")
    if not changes:
        say(f"ESO login: {unchanged}")


def _eso_settings(config: WildsideConfig) -> VaultEsoSettings | None:
    eso = config.settings.get("vault_eso") if config.components.vault_eso else None
    return eso if isinstance(eso, VaultEsoSettings) else None


def _outputs(run: RunRecord, stack_dir: Path) -> ClusterOutputs:
    try:
        return cluster_outputs(read_outputs(stack_dir, os.environ))
    except EngineError as error:
        if not run.dry_run:
            raise
        # A dry run of a cluster that does not exist yet has no state to read.
        say(f"no cluster outputs yet ({error})")
        return ClusterOutputs()


def deploy(run: RunRecord) -> None:
    config = load_config()
    outdir = run_file.work_dir() / "cluster.out"
    synthesise(config, SynthOptions(stacks=(CLUSTER_STACK,), outdir=outdir, publish=False))
    stack_dir = stack_folder(outdir, CLUSTER_STACK)
    if not run.dry_run:
        # In CI the state bucket must keep versions: docs/state.md restores from them.
        finding = check_versioning(stack_dir, os.environ, require=True)
        if finding is not None:
            say(f"state bucket {finding.bucket!r}: {finding.detail}")
    title = "planning cluster-stack (dry run: nothing is applied)"
    with step(title if run.dry_run else "deploying cluster-stack (applied only if it changes)"):
        outcome = plan_stack(stack_dir, os.environ, apply=not run.dry_run)
        say(describe(outcome))
    export(PLAN_ENV, _PLAN_WORDS.get((outcome, run.dry_run), outcome.name.lower()), secret=False)
    with step("reading the cluster's outputs"):
        cluster = _outputs(run, stack_dir)
        if not run.dry_run and not (cluster.cluster_id and cluster.endpoint):
            raise ActionError(
                "cluster-stack was applied but its state has no cluster_id or "
                "cluster_endpoint output; check the engine's output above"
            )
        say(f"cluster id {cluster.cluster_id or '(none)'}, endpoint {cluster.endpoint or '(none)'}")
        export("CLUSTER_ID", cluster.cluster_id, secret=False)
        export("CLUSTER_ENDPOINT", cluster.endpoint, secret=False)
    if not run.vault:
        say("Vault not configured: the kubeconfig is not stored anywhere")
    elif run.dry_run:
        say("dry run: Vault left unchanged (no kubeconfig written, no auth configured)")
    elif not cluster.kubeconfig:
        raise ActionError("cluster-stack has no kubeconfig output to store in Vault")
    else:
        eso = _eso_settings(config)
        what = {
            "kubernetes": " and configuring its Kubernetes auth",
            "approle": " and delivering its ESO's AppRole secret ID",
        }.get(eso.auth if eso is not None else "", "")
        with step(f"storing the kubeconfig in Vault{what}"):
            _store_in_vault(run, cluster, eso)


def run() -> int:
    require_runner()
    record = run_file.load()
    run_file.apply(record)
    try:
        deploy(record)
    except (ConfigError, RenderError) as error:
        raise ActionError(str(error), code=2) from error
    except (EngineError, StateBucketError) as error:
        raise ActionError(str(error)) from error
    except VaultError as error:
        annotate("error", "the cluster is deployed, but Vault could not be updated")
        raise ActionError(f"Vault: {error}") from error
    except KubeError as error:
        annotate("error", "the cluster is deployed, but its ESO's AppRole Secret was not written")
        raise ActionError(f"Kubernetes: {error}") from error
    return EXIT_OK
