"""Destroy protection: an Aspect refuses protected resources without prevent_destroy."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from app.cli import EXIT_BAD_INPUT, main
from tests.cluster.conftest import synth_stack
from tests.support import example_with
from wildside_constructs.registry import COMPONENTS

if TYPE_CHECKING:
    from stacks.cluster_stack import ClusterStack


def _stack_with_unprotected_pool(*, allow_destroy: bool, outdir: str | None = None) -> ClusterStack:
    """cluster-stack plus a node pool a careless construct forgot to protect."""
    from cdktf import App, Testing
    from cdktf_cdktf_provider_digitalocean.kubernetes_node_pool import KubernetesNodePool

    from app.stack_settings import cluster_stack_settings
    from stacks.cluster_stack import ClusterStack

    config = example_with(
        {"cluster": {"allow_destroy": allow_destroy}, "flux": {"bootstrap": False}}
    )
    app = App(outdir=outdir) if outdir else Testing.app()
    stack = ClusterStack(app, "cluster-stack", settings=cluster_stack_settings(config, {}))
    KubernetesNodePool(
        stack, "careless-pool", cluster_id=stack.doks.cluster.id, name="gpu", size="g-2vcpu-8gb"
    )
    return stack


def test_aspect_fails_synth_naming_the_resource_path() -> None:
    from cdktf import Testing

    stack = _stack_with_unprotected_pool(allow_destroy=False)
    with pytest.raises(RuntimeError) as raised:
        Testing.synth(stack)
    message = str(raised.value)
    assert "cluster-stack/careless-pool" in message
    assert "digitalocean_kubernetes_node_pool" in message
    assert "prevent_destroy" in message and "allow_destroy" in message


def test_preflight_reports_before_anything_is_written(tmp_path: Path) -> None:
    from wildside_constructs.cluster.errors import DestroyProtectionError
    from wildside_constructs.validation.errors import RenderError

    outdir = tmp_path / "out"
    stack = _stack_with_unprotected_pool(allow_destroy=False, outdir=str(outdir))
    with pytest.raises(DestroyProtectionError) as raised:
        stack.preflight()
    # The CLI reports RenderError as bad input (exit 2).
    assert isinstance(raised.value, RenderError)
    assert [problem.field for problem in raised.value.problems] == ["cluster-stack/careless-pool"]
    assert str(raised.value).startswith("destroy protection:")
    # App() makes an empty stacks/ folder when created; no file may appear.
    assert not [path for path in outdir.rglob("*") if path.is_file()]


def test_allow_destroy_lifts_the_check() -> None:
    from cdktf import Testing

    stack = _stack_with_unprotected_pool(allow_destroy=True)
    assert "digitalocean_kubernetes_node_pool" in Testing.synth(stack)


def test_an_override_counts_as_protection() -> None:
    from cdktf import TerraformResource, Testing

    stack = _stack_with_unprotected_pool(allow_destroy=False)
    pool = stack.node.find_child("careless-pool")
    assert isinstance(pool, TerraformResource)
    pool.add_override("lifecycle.prevent_destroy", True)
    assert '"prevent_destroy": true' in Testing.synth(stack)


def test_configured_resources_are_all_protected_by_default() -> None:
    stack = synth_stack(
        example_with(
            {
                "cluster": {"vpc": {"create": True}},
                "node_pools": [
                    {"name": "a", "size": "s-1vcpu-2gb", "count": 1},
                    {"name": "b", "size": "s-1vcpu-2gb", "count": 1},
                ],
            }
        )
    )
    protected = ("digitalocean_kubernetes_cluster", "digitalocean_kubernetes_node_pool")
    for kind in (*protected, "digitalocean_vpc"):
        for resource in stack["resource"][kind].values():
            assert resource["lifecycle"]["prevent_destroy"] is True, kind


def test_cli_exits_2_and_writes_nothing_when_the_stack_cannot_be_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Encryption with Terraform is refused while the stacks are built, after
    # platform-stack exists in memory: nothing of either stack may be written.
    monkeypatch.setenv("WILDSIDE_STATE_ENCRYPTION", "true")
    monkeypatch.setenv("TERRAFORM_BINARY_NAME", "terraform")
    for spec in COMPONENTS:
        monkeypatch.setenv(spec.env, "false")
    outdir = tmp_path / "out"
    code = main(["synth", "--no-publish", "--outdir", str(outdir)])
    assert code == EXIT_BAD_INPUT
    error = capsys.readouterr().err
    assert "state.encryption" in error
    assert "Terraform has no client-side state encryption" in error
    assert not [path for path in outdir.rglob("*") if path.is_file()]
