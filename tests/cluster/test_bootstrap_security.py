"""The Flux bootstrap leaves no cluster-admin behind and passes Pod Security "restricted"."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.cluster.conftest import Synthesised, synth_stack
from tests.pod_security import from_provider, restricted
from tests.support import example_with

ROOT = Path(__file__).resolve().parents[2]
ENGINE = shutil.which("terraform") or shutil.which("tofu")


def _pod(resource: dict[str, Any]) -> dict[str, Any]:
    pod: dict[str, Any] = from_provider(resource["spec"]["template"]["spec"])
    return pod


def test_bootstrap_pod_passes_pod_security_restricted(synthesised: Synthesised) -> None:
    job = synthesised.only("kubernetes_job_v1")
    annotations = job["spec"]["template"]["metadata"]["annotations"]
    assert restricted(_pod(job), annotations) == []


@pytest.mark.parametrize(
    ("path", "value", "control"),
    [
        (("containers", 0, "securityContext", "allowPrivilegeEscalation"), True, "Privilege"),
        (("containers", 0, "securityContext", "runAsNonRoot"), False, "Non-root"),
        (("securityContext", "runAsUser"), "0", "Non-root user"),
        (("containers", 0, "securityContext", "capabilities", "drop"), [], "drop ALL"),
        (("containers", 0, "securityContext", "capabilities", "add"), ["NET_ADMIN"], "adds"),
        (("containers", 0, "securityContext", "privileged"), True, "Privileged"),
        (("containers", 0, "securityContext", "seccompProfile", "type"), "Unconfined", "Seccomp"),
        (("volumes", 0), {"name": "host", "hostPath": {"path": "/"}}, "HostPath"),
        (("hostNetwork",), True, "Host Namespaces"),
    ],
)
def test_the_checker_refuses_each_restricted_violation(
    synthesised: Synthesised, path: tuple[Any, ...], value: Any, control: str
) -> None:
    pod = copy.deepcopy(_pod(synthesised.only("kubernetes_job_v1")))
    target = pod
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    # The pod-level profile alone would satisfy the container's seccomp rule.
    if control == "Seccomp":
        pod["securityContext"].pop("seccompProfile")
    assert any(control in problem for problem in restricted(pod)), restricted(pod)


def test_root_filesystem_is_read_only_with_a_scratch_volume(synthesised: Synthesised) -> None:
    pod = _pod(synthesised.only("kubernetes_job_v1"))
    (container,) = pod["containers"]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    (volume,) = pod["volumes"]
    assert "emptyDir" in volume
    (mount,) = container["volumeMounts"]
    assert mount["name"] == volume["name"]
    env = {item["name"]: item["value"] for item in container["env"]}
    assert env["HOME"] == env["TMPDIR"] == mount["mountPath"]


def test_image_is_pinned_by_tag_and_digest(synthesised: Synthesised) -> None:
    from wildside_constructs.cluster.flux_sync import FLUX_CLI_IMAGE

    (container,) = _pod(synthesised.only("kubernetes_job_v1"))["containers"]
    assert container["image"] == f"{FLUX_CLI_IMAGE}@{synthesised.config.flux.cli_digest}"


def test_no_binding_to_cluster_admin_survives(synthesised: Synthesised) -> None:
    from wildside_constructs.cluster.flux_sync import BOOTSTRAP_GRANT_LABEL

    resources = synthesised.stack["resource"]
    for kind in ("kubernetes_cluster_role_binding_v1", "kubernetes_role_binding_v1"):
        for binding in resources.get(kind, {}).values():
            assert binding["role_ref"]["name"] != "cluster-admin"
    roles = resources["kubernetes_cluster_role_v1"]
    (standing,) = [r for r in roles.values() if "aggregation_rule" in r]
    (grant,) = [r for r in roles.values() if "aggregation_rule" not in r]
    (binding,) = resources["kubernetes_cluster_role_binding_v1"].values()
    # The standing binding names a role with no rules of its own ...
    assert binding["role_ref"]["name"] == standing["metadata"]["name"]
    assert "rule" not in standing
    selector = standing["aggregation_rule"]["cluster_role_selectors"][0]["match_labels"]
    assert selector == {BOOTSTRAP_GRANT_LABEL: "true"}
    # ... which the grant feeds only while labelled: the Job removes the label,
    # Terraform does not restore it, and a re-run brings a fresh grant.
    assert grant["metadata"]["labels"][BOOTSTRAP_GRANT_LABEL] == "true"
    assert grant["lifecycle"]["ignore_changes"] == ["metadata[0].labels"]
    (inputs,) = resources["terraform_data"]
    assert grant["lifecycle"]["replace_triggered_by"] == [f"${{terraform_data.{inputs}}}"]
    assert standing["lifecycle"]["ignore_changes"] == ["rule"]
    # Nothing else in the cluster mounts the account's token by default.
    (account,) = resources["kubernetes_service_account_v1"].values()
    assert account["automount_service_account_token"] is False


def _fake_tools(bin_dir: Path, log: Path, *, flux_exit: int) -> None:
    bin_dir.mkdir()
    for name, code in (("kubectl", 0), ("flux", flux_exit)):
        tool = bin_dir / name
        tool.write_text(f'#!/bin/sh\necho "{name} $*" >> "{log}"\ncat > /dev/null\nexit {code}\n')
        tool.chmod(0o755)


@pytest.mark.parametrize("flux_exit", [0, 1])
def test_the_job_withdraws_its_grant_only_after_success(tmp_path: Path, flux_exit: int) -> None:
    from wildside_constructs.cluster.flux_sync import (
        BOOTSTRAP_GRANT_LABEL,
        BOOTSTRAP_GRANT_ROLE,
        BOOTSTRAP_SCRIPT,
    )

    log = tmp_path / "calls.log"
    _fake_tools(tmp_path / "bin", log, flux_exit=flux_exit)
    env = {"PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin", "FLUX_SYNC": "{}"}
    done = subprocess.run(
        ["/bin/sh", "-c", BOOTSTRAP_SCRIPT], env=env, capture_output=True, text=True, check=False
    )
    calls = log.read_text().splitlines()
    withdraw = f"kubectl label clusterrole {BOOTSTRAP_GRANT_ROLE} {BOOTSTRAP_GRANT_LABEL}-"
    assert calls[0].startswith("kubectl auth can-i create customresourcedefinitions")
    if flux_exit == 0:
        assert done.returncode == 0, done.stderr
        assert calls[-1] == withdraw
    else:
        # A failed install keeps the grant, so the Job's retries can still work.
        assert done.returncode != 0
        assert withdraw not in calls


def _job_name(stack: dict[str, Any]) -> str:
    (job,) = stack["resource"]["kubernetes_job_v1"].values()
    name: str = job["metadata"]["name"]
    return name


@pytest.mark.skipif(ENGINE is None, reason="neither terraform nor tofu is installed")
def test_a_new_revision_or_flux_version_gives_the_job_a_new_name(tmp_path: Path) -> None:
    """The real engine evaluates the Job's name expression for three input sets."""
    assert ENGINE is not None
    names = []
    for index, revision in enumerate((1, 1, 2)):
        stack = synth_stack(example_with({"flux": {"revision": revision}}))
        (inputs_id, inputs) = next(iter(stack["resource"]["terraform_data"].items()))
        if index == 2:
            inputs = {**inputs, "input": {**inputs["input"], "flux_version": "9.9.9"}}
        folder = tmp_path / str(index)
        folder.mkdir()
        config = {
            "resource": {"terraform_data": {inputs_id: inputs}},
            "output": {"name": {"value": _job_name(stack)}},
        }
        (folder / "main.tf.json").write_text(json.dumps(config))
        env = {**os.environ, "TF_CLI_CONFIG_FILE": os.devnull, "TF_IN_AUTOMATION": "1"}
        for args in (["init", "-input=false"], ["apply", "-auto-approve", "-input=false"]):
            done = subprocess.run(
                [ENGINE, f"-chdir={folder}", *args],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            assert done.returncode == 0, done.stdout + done.stderr
        output = subprocess.run(
            [ENGINE, f"-chdir={folder}", "output", "-raw", "name"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        names.append(output)
    assert names[0] == names[1]  # unchanged inputs: the completed Job stays
    assert names[2] != names[0]
    assert all(name.startswith("flux-bootstrap-") and len(name) == 25 for name in names)
