"""Fixtures for the action's end-to-end runs: sentinels, a fake engine, a fake Vault.

Everything outside this machine is replaced at its protocol boundary only: a
``tofu`` script on PATH (records its argv, and digests, never values, of the
credentials it was handed), the loopback fake Vault HTTP server, and a bare git
repository as the GitOps remote.
"""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.action.runner_sim import ActionRun, run_action
from tests.cluster.moto_s3 import CREDENTIALS as S3_CREDENTIALS
from tests.cluster.moto_s3 import s3_server
from tests.conftest import GIT_ENV
from tests.fakes.ci_policy import CI_POLICY, documented_ci_policy
from tests.fakes.fake_vault import FakeVault

CLUSTER = "e2e-ams"
CLUSTER_ID = "6d3f0c1e-0000-4000-8000-00000000e2e0"
ENDPOINT = f"https://{CLUSTER_ID}.k8s.ondigitalocean.com"
CA_PEM = "-----BEGIN CERTIFICATE-----\nMIIBfakeE2ECA\n-----END CERTIFICATE-----\n"

# Secret inputs of the action, each a value that must never surface.
INPUT_SECRETS = {
    "gitops_token": "sntl-input-gitops-token-a1b2",
    "vault_role_id": "sntl-input-role-id-c3d4",
    "vault_secret_id": "sntl-input-secret-id-e5f6",
    "digitalocean_token": "sntl-input-do-token-a7b8",
    "spaces_access_key": "SNTLINPUTSPACESAK9C0D",
    "spaces_secret_key": "sntl-input-spaces-sk-e1f2",
    "flux_git_token": "sntl-input-flux-token-a3b4",
}
# The fake Vault's secrets for the cluster (path, key) -> value.
VAULT_SECRETS = {
    ("digitalocean", "token"): "sntl-vault-do-token-c5d6",
    ("spaces", "access_key_id"): "SNTLVAULTSPACESAKE7F8",
    ("spaces", "secret_access_key"): "sntl-vault-spaces-sk-a9b0",
    ("state", "passphrase"): "sntl-vault-state-passphrase-c1d2",
    ("gitops", "token"): "sntl-vault-gitops-token-e3f4",
    ("cloudflare", "api_token"): "sntl-vault-cloudflare-a5b6",
}
KUBE_TOKEN = "sntl-kube-token-c7d8e9f0"
SENTINELS = (*INPUT_SECRETS.values(), *VAULT_SECRETS.values(), KUBE_TOKEN)

KUBECONFIG = f"""\
apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: {base64.b64encode(CA_PEM.encode()).decode()}
    server: {ENDPOINT}
  name: do-ams3-{CLUSTER}
contexts:
- context:
    cluster: do-ams3-{CLUSTER}
    user: do-ams3-{CLUSTER}-admin
  name: do-ams3-{CLUSTER}
current-context: do-ams3-{CLUSTER}
users:
- name: do-ams3-{CLUSTER}-admin
  user:
    token: {KUBE_TOKEN}
"""

# Replaced by the loopback S3 API's address when a run writes the file.
UNSERVED_STATE = "http://127.0.0.1:9"
# A bucket on that API without versioning (the world's own keeps versions).
UNVERSIONED_BUCKET = "wildside-e2e-unversioned"
CONFIG_TOML = f"""\
[cluster]
name = "{CLUSTER}"
environment = "sandbox"
region = "ams3"
kubernetes_version = "1.33"
domain = "e2e.example.com"
acme_email = "platform@example.com"

[[node_pools]]
name = "default"
size = "s-2vcpu-4gb"
count = 2

[gitops]
repository_url = "https://github.com/example/wildside-infra.git"

[state]
backend = "s3"
bucket = "wildside-e2e-state"
endpoint = "{UNSERVED_STATE}"
use_path_style = true
encryption = true

[vault_eso]
# The cluster's view of the shared Vault; the run itself talks to the fake one.
address = "https://vault.example.com:8200"

[flux]
# The Flux bootstrap's Kubernetes bindings take seconds to load; tests/cluster covers it.
bootstrap = false
"""

FAKE_TOFU = """\
#!/bin/sh
# A fake OpenTofu: records argv and credential digests, answers with canned results.
printf 'argv %s\\n' "$*" >> "$FAKE_TOFU_LOG"
for name in DIGITALOCEAN_TOKEN DIGITALOCEAN_ACCESS_TOKEN AWS_ACCESS_KEY_ID \\
    AWS_SECRET_ACCESS_KEY TF_VAR_state_passphrase TF_VAR_flux_git_token \\
    TF_VAR_flux_git_ssh_key TF_VAR_flux_git_ssh_key_version; do
  eval "value=\\${$name:-}"
  if [ -n "$value" ]; then
    printf 'env %s %s\\n' "$name" "$(printf %s "$value" | sha256sum | cut -d' ' -f1)" \\
      >> "$FAKE_TOFU_LOG"
  fi
done
dir="${1#-chdir=}"
case "$2" in
  init) echo "OpenTofu has been successfully initialized!"; exit 0 ;;
  plan)
    for arg in "$@"; do
      case "$arg" in -out=*) : > "$dir/${arg#-out=}" ;; esac
    done
    echo "Plan: 3 to add, 0 to change, 0 to destroy."
    exit "${FAKE_PLAN_EXIT:-2}" ;;
  apply) echo "Apply complete! Resources: 3 added."; : > "$FAKE_TOFU_STATE"; exit 0 ;;
  output)
    if [ -f "$FAKE_TOFU_STATE" ]; then cat "$FAKE_TOFU_OUTPUTS"; else echo "{}"; fi
    exit 0 ;;
esac
echo "fake tofu: unexpected command $2" >&2
exit 3
"""


def exposed(run: ActionRun, values: Sequence[str]) -> list[tuple[str, str]]:
    """(step or output, value) for each value a log line or an action output carries.

    A value's own ``::add-mask::`` line is the one line allowed to hold it.
    """
    found = []
    for value in values:
        for step in run.steps.values():
            visible = (
                line for line in step.log.splitlines() if not line.startswith("::add-mask::")
            )
            if any(value in line for line in visible):
                found.append((step.id, value))
        found += [(name, value) for name, text in run.outputs.items() if value in text]
    return found


@dataclass
class World:
    """Everything one test module's runs share."""

    root: Path
    fixtures: Path  # holds canned secrets: excluded from leak scans
    remote: Path
    vault: FakeVault
    tofu_log: Path
    base_env: dict[str, str]
    # The loopback S3 API serving the state bucket (its versioning is checked).
    state_endpoint: str = UNSERVED_STATE

    def inputs(self, **extra: str) -> dict[str, str]:
        given = {
            "cluster_name": CLUSTER,
            "environment": "sandbox",
            "region": "ams3",
            "domain": "e2e.example.com",
            "acme_email": "platform@example.com",
            "node_pools": json.dumps([{"name": "default", "size": "s-2vcpu-4gb", "count": 2}]),
            "gitops_repository": str(self.remote),
            "vault_address": self.vault.url,
            "config": "wildside.toml",
            "enable_valkey": "false",
            **INPUT_SECRETS,
        }
        given.update(extra)
        return given

    def run(
        self,
        name: str,
        *,
        toml: str | None = None,
        env: Mapping[str, str] | None = None,
        **inputs: str,
    ) -> ActionRun:
        """One run of the action in its own folder under ``root``.

        ``toml`` replaces the workspace's wildside.toml for this run only;
        ``env`` adds to (or overrides) the base environment.
        """
        folder = self.root / name
        temp = folder / "runner-temp"
        temp.mkdir(parents=True)
        environment = {**self.base_env, "RUNNER_TEMP": str(temp)}
        if toml is not None:
            workspace = folder / "workspace"
            workspace.mkdir()
            (workspace / "wildside.toml").write_text(
                toml.replace(UNSERVED_STATE, self.state_endpoint)
            )
            environment["GITHUB_WORKSPACE"] = str(workspace)
        environment.update(env or {})
        return run_action(self.inputs(**inputs), environment, folder / "steps")

    def left_behind(self, values: Iterable[str]) -> list[tuple[str, str]]:
        """(where, value) for each value in a file the runs left or an object of the remote.

        Canned fixtures are not searched, nor ``github_env`` files: those may hand
        a secret on, and the tests check it was masked first.
        """
        wanted = [(value, value.encode()) for value in values]
        found = []
        for path in self.root.rglob("*"):
            if path.is_file() and self.fixtures not in path.parents and path.name != "github_env":
                data = path.read_bytes()
                found += [(str(path), value) for value, raw in wanted if raw in data]
        objects = subprocess.run(
            ["git", "cat-file", "--batch-all-objects", "--batch"],
            cwd=self.remote,
            capture_output=True,
            check=True,
        ).stdout
        assert objects, "the remote holds the runs' commits"
        return found + [("git objects", value) for value, raw in wanted if raw in objects]

    def tofu_calls(self) -> list[str]:
        if not self.tofu_log.exists():
            return []
        lines = self.tofu_log.read_text().splitlines()
        return [line.split()[2] for line in lines if line.startswith("argv ")]


def _write_fake_tofu(bin_dir: Path) -> None:
    bin_dir.mkdir(parents=True)
    script = bin_dir / "tofu"
    script.write_text(FAKE_TOFU)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    from tests.conftest import git

    root = tmp_path_factory.mktemp("action")
    fixtures = root / "fixtures"
    _write_fake_tofu(fixtures / "bin")
    outputs = {
        "cluster_id": {"sensitive": False, "type": "string", "value": CLUSTER_ID},
        "cluster_endpoint": {"sensitive": False, "type": "string", "value": ENDPOINT},
        "kubeconfig": {"sensitive": True, "type": "string", "value": KUBECONFIG},
    }
    (fixtures / "outputs.json").write_text(json.dumps(outputs))
    workspace = root / "workspace"
    workspace.mkdir()
    remote = root / "remote.git"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(remote))
    home = root / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WILDSIDE_", "GITHUB_"))}
    for name in ("TERRAFORM_BINARY_NAME", "VAULT_ADDR", "VAULT_TOKEN", "CDKTF_OUTDIR"):
        env.pop(name, None)
    env.update(GIT_ENV)
    env.update(
        {
            "HOME": str(home),
            "PATH": f"{fixtures / 'bin'}{os.pathsep}{env.get('PATH', '')}",
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_SHA": "0" * 40,
            "FAKE_TOFU_LOG": str(root / "tofu-argv.log"),
            "FAKE_TOFU_STATE": str(root / "tofu-state"),
            "FAKE_TOFU_OUTPUTS": str(fixtures / "outputs.json"),
        }
    )
    # CI logs in with the policy the action's README documents, nothing more.
    vault = FakeVault(
        role_id=INPUT_SECRETS["vault_role_id"],
        secret_id=INPUT_SECRETS["vault_secret_id"],
        ci_policies=[CI_POLICY],
        policies={CI_POLICY: documented_ci_policy()},
    )
    for (path, key), value in VAULT_SECRETS.items():
        current = vault.latest(f"wildside/{CLUSTER}/{path}") or {}
        vault.put_secret(f"wildside/{CLUSTER}/{path}", {**current, key: value})
    with vault.running(), s3_server() as s3:
        s3.client.create_bucket(Bucket="wildside-e2e-state")
        s3.client.put_bucket_versioning(
            Bucket="wildside-e2e-state", VersioningConfiguration={"Status": "Enabled"}
        )
        s3.client.create_bucket(Bucket=UNVERSIONED_BUCKET)
        (workspace / "wildside.toml").write_text(CONFIG_TOML.replace(UNSERVED_STATE, s3.endpoint))
        env.update(S3_CREDENTIALS)
        yield World(root, fixtures, remote, vault, root / "tofu-argv.log", env, s3.endpoint)
