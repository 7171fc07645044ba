"""Generate ``infra-modules/``: plain OpenTofu modules from the cluster constructs.

``wildside modules [DIR]`` (or ``python -m app.modules``, ``make modules``)
synthesises one stack per module and writes ``main.tf.json`` and a README into
``DIR/<module>/``. CDKTF is archived upstream; these files are what outlives it.
The post-synth hook mirrors the folder into the GitOps repository's ``modules/``.
"""

from __future__ import annotations

import filecmp
import importlib
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.runtime import PROJECT_ROOT, prepare_node

MODULES_DIR = PROJECT_ROOT / "infra-modules"
REQUIRED_VERSION = ">= 1.6.0"


@dataclass(frozen=True)
class ModuleSpec:
    name: str
    stack: str
    source: str
    summary: str
    example: str


SPECS = (
    ModuleSpec(
        "doks",
        "DoksModuleStack",
        "wildside_constructs/cluster/doks.py",
        "A DigitalOcean Kubernetes cluster: default pool in the cluster, further pools as "
        "digitalocean_kubernetes_node_pool keyed by name, a minor version resolved to its "
        "newest patch, and prevent_destroy on every resource.",
        'module "doks" {\n  source       = "./modules/doks"\n  cluster_name = "dev"\n'
        '  region       = "nyc1"\n  node_pools   = [{ name = "default", size = "s-2vcpu-4gb", '
        "node_count = 3 }]\n}",
    ),
    ModuleSpec(
        "fluxcd",
        "FluxModuleStack",
        "wildside_constructs/cluster/flux_bootstrap.py",
        "Flux on a cluster through typed Kubernetes resources only (so it plans before the "
        "cluster exists): a Job runs the pinned flux CLI's `flux install` and applies the "
        "flux-system GitRepository and Kustomization. Flux reads Git with an HTTPS token or, "
        'with git_auth = "ssh", a deploy key, both sent through a write-only Secret. '
        "Configure the kubernetes provider in the caller.",
        'module "fluxcd" {\n  source         = "./modules/fluxcd"\n  cluster_name   = "dev"\n'
        '  repository_url = "https://github.com/example/wildside-infra.git"\n'
        "  git_token      = var.flux_git_token\n}",
    ),
    ModuleSpec(
        "vault_appliance",
        "vault_module_stack.VaultApplianceModuleStack",
        "wildside_constructs/vault_appliance/appliance.py",
        "The shared Vault: Droplets running a pinned Vault with Raft on block-storage "
        "volumes (first-boot script with checksum-pinned install, node-local TLS key and "
        "a Raft snapshot timer to Spaces), a firewall opening 8200 to the load balancer "
        "and listed ranges and 8201 between peers only, a load balancer with a managed "
        "Let's Encrypt certificate and health checks, an A record, and prevent_destroy "
        "on Droplets, volumes and the load balancer.",
        'module "vault" {\n  source            = "./modules/vault_appliance"\n'
        '  domain            = "example.com"\n  vault_deb_sha256  = "<sha256 of the .deb>"\n'
        '  snapshot_bucket   = "wildside-vault-snapshots"\n'
        '  snapshot_endpoint = "https://nyc3.digitaloceanspaces.com"\n}',
    ),
)


def _stack_class(name: str) -> Any:
    """``Class`` in stacks.module_stacks, or ``module.Class`` in another stacks module."""
    module, _, cls = name.rpartition(".")
    return getattr(importlib.import_module(f"stacks.{module or 'module_stacks'}"), cls)


def _strip_comments(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _strip_comments(value) for key, value in node.items() if key != "//"}
    if isinstance(node, list):
        return [_strip_comments(item) for item in node]
    return node


def module_json(synthesised: dict[str, Any]) -> dict[str, Any]:
    """A stack's JSON as a module: no providers, no backend, no cdktf metadata."""
    module = _strip_comments(synthesised)
    module.pop("provider", None)
    terraform = module.setdefault("terraform", {})
    terraform.pop("backend", None)
    terraform["required_version"] = REQUIRED_VERSION
    return dict(module)


def _cell(value: Any) -> str:
    return "`" + json.dumps(value) + "`" if value is not None else "`null`"


def readme(spec: ModuleSpec, module: dict[str, Any]) -> str:
    providers = module["terraform"].get("required_providers", {})
    lines = [
        f"# {spec.name}",
        "",
        spec.summary,
        "",
        f"Generated from `{spec.source}` by `make modules` (`python -m app.modules`); do not "
        "edit by hand. A test fails when this folder is stale.",
        "",
        "## Requirements",
        "",
        f"- OpenTofu or Terraform `{REQUIRED_VERSION}`",
    ]
    lines += [f"- provider `{p['source']}` `{p['version']}`" for p in providers.values()]
    lines += ["", "## Inputs", "", "| Name | Type | Default | Description |", "|---|---|---|---|"]
    for name, variable in sorted(module.get("variable", {}).items()):
        default = _cell(variable["default"]) if "default" in variable else "required"
        note = " (sensitive)" if variable.get("sensitive") else ""
        kind = variable.get("type", "any").replace("|", "\\|")
        lines.append(
            f"| `{name}` | `{kind}` | {default} | {variable.get('description', '')}{note} |"
        )
    lines += ["", "## Outputs", "", "| Name | Description |", "|---|---|"]
    for name, output in sorted(module.get("output", {}).items()):
        note = " (sensitive)" if output.get("sensitive") else ""
        lines.append(f"| `{name}` | {output.get('description', '')}{note} |")
    lines += ["", "## Example", "", "```hcl", spec.example, "```", ""]
    return "\n".join(lines)


def generate(root: Path = MODULES_DIR) -> list[Path]:
    """Write every module under ``root``; return the files written."""
    prepare_node()
    from cdktf import App

    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="wildside-modules-") as tmp:
        app = App(outdir=tmp)
        for spec in SPECS:
            _stack_class(spec.stack)(app, f"{spec.name}-module")
        app.synth()
        for spec in SPECS:
            synthesised = json.loads(
                (Path(tmp) / "stacks" / f"{spec.name}-module" / "cdk.tf.json").read_text()
            )
            module = module_json(synthesised)
            folder = root / spec.name
            folder.mkdir(parents=True, exist_ok=True)
            files = {
                "main.tf.json": json.dumps(module, indent=2, sort_keys=True) + "\n",
                "README.md": readme(spec, module),
            }
            for name, text in files.items():
                (folder / name).write_text(text, encoding="utf-8")
                written.append(folder / name)
    return written


def stale_files(root: Path = MODULES_DIR) -> list[str]:
    """Files under ``root`` that differ from a fresh generation (or are missing)."""
    with tempfile.TemporaryDirectory(prefix="wildside-modules-check-") as tmp:
        fresh = generate(Path(tmp))
        stale = []
        for path in fresh:
            relative = path.relative_to(tmp)
            committed = root / relative
            if not committed.is_file() or not filecmp.cmp(path, committed, shallow=False):
                stale.append(relative.as_posix())
        return stale


def run(directory: Path, *, check: bool) -> int:
    """``wildside modules [DIR] [--check]``: write the modules, or report stale files."""
    if check:
        stale = stale_files(directory)
        for path in stale:
            print(f"stale: {directory / path}", file=sys.stderr)
        if stale:
            print("run `make modules` and commit the result", file=sys.stderr)
        return 1 if stale else 0
    for written in generate(directory):
        print(written)
    return 0


if __name__ == "__main__":
    # `python -m app.modules` (named in the generated READMEs) is `wildside modules`.
    from app.cli import main

    sys.exit(main(["modules", *sys.argv[1:]]))
