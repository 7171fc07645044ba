"""Session fixtures: synthesise cluster-stack once (the Kubernetes bindings load once).

The main synthesis runs the real ``synthesise()`` path with a configuration
that exercises every cluster feature, under an environment holding a
sentinel value in every secret input, so tests can prove none leaks.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app.config.model import WildsideConfig
from tests.support import example_with, scratch_app

# A well-formed digest for tests only; not the real image's (docs/flux-bootstrap.md).
TEST_DIGEST = "sha256:" + "5e" * 32
# Every secret input the stack could ever see, each with a value no output may contain.
SENTINELS = {
    "DIGITALOCEAN_TOKEN": "sentinel-do-token-5f0c",
    "DIGITALOCEAN_ACCESS_TOKEN": "sentinel-do-access-9a1e",
    "AWS_ACCESS_KEY_ID": "SENTINELAKIA7Q2K",
    "AWS_SECRET_ACCESS_KEY": "sentinel-aws-secret-77d3",
    "AWS_SESSION_TOKEN": "sentinel-aws-session-31b8",
    "TF_VAR_flux_git_token": "sentinel-flux-git-token-c4e2",
    "TF_VAR_state_passphrase": "sentinel-state-passphrase-0b9d",
    "TF_ENCRYPTION": 'key_provider "pbkdf2" "x" { passphrase = "sentinel-tf-encryption-e6a0" }',
}
NODE_POOLS = [
    {
        "name": "system",
        "size": "s-2vcpu-4gb",
        "count": 2,
        "labels": {"node-role.example.com/system": "true"},
        "taints": [{"key": "CriticalAddonsOnly", "value": "true", "effect": "PreferNoSchedule"}],
        "tags": ["pool:system"],
    },
    {
        "name": "workers",
        "size": "s-4vcpu-8gb",
        "auto_scale": True,
        "min_nodes": 1,
        "max_nodes": 5,
        "labels": {"workload": "general"},
        "taints": [{"key": "dedicated", "value": "workers", "effect": "NoSchedule"}],
    },
    {"name": "batch", "size": "c-4", "count": 1},
]
RICH = {
    "cluster": {
        "name": "prod-ams",
        "region": "ams3",
        "kubernetes_version": "1.33",
        "ha": True,
        "auto_upgrade": True,
        "surge_upgrade": False,
        "tags": ["env:prod"],
        "maintenance": {"day": "saturday", "start_time": "02:30"},
        "vpc": {"create": True, "ip_range": "10.20.0.0/16"},
    },
    "gitops": {
        "repository_url": "https://github.com/example/wildside-gitops.git",
        "branch": "live",
    },
    "state": {
        "backend": "s3",
        "bucket": "wildside-tofu-state",
        "region": "us-east-1",
        "endpoint": "https://ams3.digitaloceanspaces.com",
        "use_path_style": True,
        "encryption": True,
    },
    "flux": {"revision": 3, "cli_digest": TEST_DIGEST},
}


def rich_config() -> WildsideConfig:
    """The rich configuration; pools arrive as the GitHub action passes them."""
    return example_with(RICH, env={"WILDSIDE_NODE_POOLS": json.dumps(NODE_POOLS)})


@dataclass
class Synthesised:
    outdir: Path
    config: WildsideConfig

    @property
    def stack(self) -> dict[str, Any]:
        path = self.outdir / "stacks" / "cluster-stack" / "cdk.tf.json"
        loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return loaded

    def resources(self, kind: str) -> dict[str, Any]:
        found: dict[str, Any] = self.stack["resource"][kind]
        return found

    def only(self, kind: str) -> dict[str, Any]:
        (value,) = self.resources(kind).values()
        return dict(value)


@pytest.fixture(scope="session")
def synthesised(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synthesised]:
    """cluster-stack for the rich configuration, through app.synth.synthesise."""
    from app.synth import CLUSTER_STACK, SynthOptions, synthesise

    outdir = tmp_path_factory.mktemp("cluster-synth") / "cdktf.out"
    config = rich_config()
    with pytest.MonkeyPatch.context() as patch:
        for name, value in SENTINELS.items():
            patch.setenv(name, value)
        patch.delenv("TERRAFORM_BINARY_NAME", raising=False)
        synthesise(config, SynthOptions(stacks=(CLUSTER_STACK,), outdir=outdir, publish=False))
    yield Synthesised(outdir, config)
    shutil.rmtree(outdir, ignore_errors=True)


def synth_stack(config: WildsideConfig, environ: dict[str, str] | None = None) -> dict[str, Any]:
    """cluster-stack for ``config`` in memory (cheap once the bindings are loaded)."""
    from cdktf import Testing

    from app.runtime import prepare_node
    from app.stack_settings import cluster_stack_settings

    prepare_node()
    from stacks.cluster_stack import ClusterStack

    settings = cluster_stack_settings(config, environ or {})
    stack = ClusterStack(scratch_app(), "cluster-stack", settings=settings)
    loaded: dict[str, Any] = json.loads(Testing.synth(stack))
    return loaded
