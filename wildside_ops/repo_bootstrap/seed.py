"""The files a new GitOps repository starts with (created only where missing, never overwritten)."""

from __future__ import annotations

from wildside_ops.repo_bootstrap.model import BootstrapRequest

__all__ = ["seed_files"]

_README = """\
# {name}

The Flux GitOps repository of the wildside platform, written by
[wildside-infra-k8s](https://github.com/) — do not edit the folders it owns by hand:

| path | what |
| --- | --- |
| `clusters/<cluster>/` | the Flux Kustomizations each cluster's bootstrap applies |
| `platform/` | the shared, cluster-agnostic manifests sandbox clusters apply |
| `environments/<env>/platform/` | staging's and production's promoted copies (`wildside promote`) |
| `platform/secrets/clusters/<cluster>/` | SOPS-encrypted Secrets (`wildside secrets`) |
| `modules/` | the plain OpenTofu modules generated from the same constructs |
| `.wildside/ownership/` | which cluster published which file |

Flux reads this repository with a read-only SSH deploy key whose private half is
kept in Vault. Changes arrive as commits from `wildside synth` (and, for staging
and production, `wildside promote`); the default branch is protected and every
pull request must pass `{checks}`.
"""

# Required status check "validate": every folder with a kustomization builds.
_WORKFLOW = """\
name: validate
on:
  pull_request:
  push:
    branches: [{branch}]
permissions:
  contents: read
concurrency:
  group: validate-${{{{ github.ref }}}}
  cancel-in-progress: true
jobs:
  validate:
    runs-on: ubuntu-latest
    timeout-minutes: 10
    steps:
      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0
      - name: every kustomization builds
        run: |
          status=0
          while IFS= read -r file; do
            folder=$(dirname "$file")
            # Encrypted Secrets build too: kustomize does not decrypt.
            if kubectl kustomize "$folder" > /dev/null; then
              continue
            fi
            # A staging/production cluster's selection of an environment's copy
            # that no promotion has written yet is waiting, not broken.
            waiting=""
            for base in $(grep -oE '[./]*environments/[a-z]+/platform/[^ "]+' "$file"); do
              [ -d "$folder/$base" ] || waiting="$waiting $base"
            done
            if [ -n "$waiting" ]; then
              echo "::warning file=$file::awaits promotion (wildside promote):$waiting"
            else
              echo "::error file=$file::does not build"
              status=1
            fi
          done < <(find . -name kustomization.yaml -not -path './.git/*' | sort)
          exit $status
"""


def seed_files(request: BootstrapRequest) -> dict[str, str]:
    checks = ", ".join(f"`{check}`" for check in request.required_checks) or "its checks"
    files = {
        "README.md": _README.format(name=request.name, checks=checks),
        ".github/workflows/validate.yml": _WORKFLOW.format(branch=request.branch),
    }
    files.update(request.extra_files)
    return files
