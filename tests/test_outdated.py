"""``wildside outdated`` against fake chart indexes, a fake OCI registry and a fake GitHub API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.conftest import EndToEnd, clean_env, run_app
from tests.fakes.fake_sources import FakeSources
from tests.fakes.loopback import serving
from wildside_ops.outdated import read_pins

SHA = "08c6903cd8c0fde910a37f88322edcfb5dd907a8"


@pytest.fixture
def sources() -> Iterator[FakeSources]:
    fake = FakeSources(
        charts={"traefik": {"traefik": ["37.4.0", "37.3.0", "38.0.0-rc.1"]}},
        oci={"charts/cert-manager": ["v1.19.2", "v1.18.0"]},
        releases={
            "actions/checkout": "v5.0.0",
            "fluxcd/flux2": "v2.7.5",
            "digitalocean/terraform-provider-digitalocean": "v2.71.0",
        },
    )
    with serving(fake.handle, "fake-sources") as url:
        fake.base = url
        yield fake


def _project(tmp_path: Path, base: str) -> tuple[Path, Path]:
    """A synth output and a .github/ folder holding one pin of each kind."""
    host = base.removeprefix("http://")
    docs = {
        "platform/sources/traefik/helmrepository.yaml": {
            "kind": "HelmRepository",
            "metadata": {"name": "traefik"},
            "spec": {"url": f"{base}/charts/traefik"},
        },
        "platform/sources/jetstack/helmrepository.yaml": {
            "kind": "HelmRepository",
            "metadata": {"name": "jetstack"},
            "spec": {"url": f"oci://{host}/charts", "type": "oci"},
        },
        "platform/traefik/helmrelease.yaml": {
            "kind": "HelmRelease",
            "spec": {
                "chart": {
                    "spec": {
                        "chart": "traefik",
                        "version": "37.4.0",
                        "sourceRef": {"name": "traefik"},
                    }
                }
            },
        },
        "platform/cert-manager/helmrelease.yaml": {
            "kind": "HelmRelease",
            "spec": {
                "chart": {
                    "spec": {
                        "chart": "cert-manager",
                        "version": "v1.19.2",
                        "sourceRef": {"name": "jetstack"},
                    }
                }
            },
        },
    }
    rendered = {path: yaml.safe_dump(doc) for path, doc in docs.items()}
    outdir = tmp_path / "cdktf.out"
    platform = outdir / "stacks" / "platform-stack"
    platform.mkdir(parents=True)
    stack = {"output": {"rendered_manifests": {"value": rendered}}}
    (platform / "cdk.tf.json").write_text(json.dumps(stack))
    cluster = outdir / "stacks" / "cluster-stack"
    cluster.mkdir(parents=True)
    required = {"digitalocean": {"source": "digitalocean/digitalocean", "version": "2.71.0"}}
    bootstrap = {"terraform_data": {"flux": {"input": {"flux_version": "2.7.5"}}}}
    cluster_json = {"terraform": {"required_providers": required}, "resource": bootstrap}
    (cluster / "cdk.tf.json").write_text(json.dumps(cluster_json))
    root = tmp_path / "project"
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "workflows" / "ci.yml").write_text(
        f"steps:\n  - uses: actions/checkout@{SHA} # v5.0.0\n"
    )
    return outdir, root


def _outdated(tmp_path: Path, base: str, *extra: str) -> tuple[int, str, str]:
    outdir, root = _project(tmp_path, base)
    args = ["outdated", "--outdir", str(outdir), "--root", str(root), "--github-api", base]
    done = run_app([*args, "--plain-http", *extra], clean_env(tmp_path, {}))
    return done.returncode, done.stdout, done.stderr


def test_nothing_is_reported_when_every_pin_is_current(
    tmp_path: Path, sources: FakeSources
) -> None:
    code, out, err = _outdated(tmp_path, sources.base, "--open-issue", "example/infra")
    assert code == 0, err
    assert out == "Every pin is current.\n"
    assert "5 pins checked, 0 newer" in err
    # The OCI tags were read with the registry's anonymous token, and no issue opened.
    assert "GET /v2/charts/cert-manager/tags/list" in sources.requests
    assert sources.issues == []


def test_a_newer_chart_and_action_are_reported_and_filed_in_one_issue(
    tmp_path: Path, sources: FakeSources
) -> None:
    sources.charts["traefik"]["traefik"].append("37.5.1")
    sources.oci["charts/cert-manager"].append("v1.20.0")
    sources.releases["actions/checkout"] = "v5.1.0"
    code, out, err = _outdated(tmp_path, sources.base, "--open-issue", "example/infra")
    assert code == 0, err
    rows = [line for line in out.splitlines() if line.startswith("| ") and "---" not in line]
    assert rows[1:] == [
        f"| chart | cert-manager | v1.19.2 | v1.20.0 | oci://{sources.base[7:]}/charts |",
        f"| chart | traefik | 37.4.0 | 37.5.1 | {sources.base}/charts/traefik |",
        "| action | actions/checkout | v5.0.0 | v5.1.0 | actions/checkout |",
    ]
    (issue,) = sources.issues
    assert "37.5.1" in issue["body"]
    # A second run updates that issue rather than opening another.
    sources.charts["traefik"]["traefik"].append("37.6.0")
    code, _out, err = _outdated(tmp_path / "again", sources.base, "--open-issue", "example/infra")
    assert code == 0, err
    (issue,) = sources.issues
    assert "37.6.0" in issue["body"]


def test_an_unreachable_index_fails_with_a_clear_message(
    tmp_path: Path, sources: FakeSources
) -> None:
    del sources.charts["traefik"]
    code, out, err = _outdated(tmp_path, sources.base)
    assert code == 1
    assert f"chart index {sources.base}/charts/traefik/index.yaml is unreachable" in err
    assert "Traceback" not in err
    assert out == ""


@pytest.mark.slow
def test_pins_are_read_from_the_real_synthesised_json(e2e: EndToEnd) -> None:
    from app.runtime import PROJECT_ROOT

    pins = {(pin.kind, pin.name): pin for pin in read_pins(e2e.outdir, PROJECT_ROOT)}
    assert pins["chart", "traefik"].version == "37.4.0"
    assert pins["chart", "traefik"].source == "https://traefik.github.io/charts"
    assert pins["chart", "cert-manager"].source.startswith("oci://")
    assert pins["provider", "digitalocean"].version == "2.71.0"
    assert pins["flux", "flux"].version
    assert pins["action", "actions/cache"].version.startswith("v")
