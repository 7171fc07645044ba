"""The pull-request summary calls out a protected resource removed or left unprotected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cluster.conftest import RICH, SENTINELS, Synthesised, synth_stack
from tests.conftest import run_app
from tests.support import example_with
from wildside_ops.review.summary import CAUTION


def _summary(base: Path, head: Path) -> tuple[int, str, str]:
    done = run_app(["review-summary", "--base-out", str(base), "--head-out", str(head)])
    return done.returncode, done.stdout, done.stderr


@pytest.mark.slow
def test_removing_or_unprotecting_a_protected_resource_is_called_out_first(
    synthesised: Synthesised, tmp_path: Path
) -> None:
    def head_with(name: str, overrides: dict[str, object]) -> Path:
        cluster = {**RICH["cluster"], **overrides}  # type: ignore[dict-item]
        cluster = {key: value for key, value in cluster.items() if value is not None}
        config = example_with({**RICH, "cluster": cluster})
        folder = tmp_path / name / "stacks" / "cluster-stack"
        folder.mkdir(parents=True)
        environ = {"TF_VAR_state_passphrase": SENTINELS["TF_VAR_state_passphrase"]}
        (folder / "cdk.tf.json").write_text(json.dumps(synth_stack(config, environ)))
        return tmp_path / name

    without_vpc = head_with("no-vpc", {"vpc": None})
    code, out, err = _summary(synthesised.outdir, without_vpc)
    assert code == 0, err
    body = out.split("\n", 2)[2]
    assert body.startswith(CAUTION), out
    assert "`digitalocean_vpc." in body.split("### Synthesised resources")[0]
    assert "is removed: it is protected from destruction" in out

    unprotected = head_with("allow-destroy", {"allow_destroy": True})
    code, out, err = _summary(synthesised.outdir, unprotected)
    assert code == 0, err
    callout = out.split("### Synthesised resources")[0]
    assert CAUTION in callout
    assert "`digitalocean_kubernetes_cluster." in callout
    assert "loses `lifecycle.prevent_destroy`" in callout
    # The unchanged tree calls nothing out.
    code, out, _err = _summary(synthesised.outdir, synthesised.outdir)
    assert code == 0
    assert CAUTION not in out
