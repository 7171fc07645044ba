"""The run's secrets: which are needed, where each comes from, and how each travels.

Each secret comes from its input when given, else from a variable the
workflow already set, else from Vault (the secret paths in ``wildside_ops.vault.secret_paths``).
Only the secrets this run needs are read: a Vault policy that grants more is
not a reason to fetch more.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from app.config.model import WildsideConfig
from wildside_ops import flux_key

# The deploy key has its own Vault path (wildside_ops.flux_key), not a cluster secret path.
FLUX_SSH_KEY = "flux_ssh_key"

# Secret name -> the variables that carry it to the engine and doctl.
# gitops_token has none: it reaches git only as a push header (wildside_ops.action.gitauth).
CARRIERS: dict[str, tuple[str, ...]] = {
    "digitalocean_token": ("DIGITALOCEAN_TOKEN", "DIGITALOCEAN_ACCESS_TOKEN"),
    "spaces_access_key": ("AWS_ACCESS_KEY_ID",),
    "spaces_secret_key": ("AWS_SECRET_ACCESS_KEY",),
    "state_passphrase": ("TF_VAR_state_passphrase",),
    "gitops_token": (),
    # gitops.auth = "ssh": the deploy key from its own Vault path (wildside_ops.flux_key).
    FLUX_SSH_KEY: (flux_key.SSH_KEY_ENV,),
}
# Secrets that are inputs only (no secret path), and their carriers.
INPUT_ONLY: dict[str, tuple[str, ...]] = {"flux_git_token": ("TF_VAR_flux_git_token",)}
WHY = {
    "digitalocean_token": "the engine and doctl call the DigitalOcean API",
    "spaces_access_key": "state.backend is s3 (Spaces)",
    "spaces_secret_key": "state.backend is s3 (Spaces)",
    "state_passphrase": "state.encryption is on (the default for s3 state)",
    "gitops_token": "the GitOps repository is reached over HTTPS",
    FLUX_SSH_KEY: 'gitops.auth is "ssh" (Flux reads the repository with the deploy key)',
}


def needed(config: WildsideConfig, *, http_remote: bool) -> tuple[str, ...]:
    """The secrets this configuration cannot run without (from inputs, variables or Vault)."""
    names = ["digitalocean_token"]
    if config.state.backend == "s3":
        names += ["spaces_access_key", "spaces_secret_key"]
    if config.state.encrypted():
        names.append("state_passphrase")
    if http_remote:
        names.append("gitops_token")
    if flux_key.needs_key(config):
        names.append(FLUX_SSH_KEY)
    return tuple(names)


@dataclass
class Resolved:
    values: dict[str, str]
    sources: dict[str, str]
    # Variable -> value handed on unmasked (not secrets: masking "4" would hide every 4).
    public: dict[str, str] = field(default_factory=dict)

    def missing(self, names: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(name for name in names if not self.values.get(name))


def from_inputs_and_environment(
    names: tuple[str, ...], inputs: Mapping[str, str], environ: Mapping[str, str]
) -> Resolved:
    """What is available without Vault; the rest is for Vault to fill."""
    resolved = Resolved({}, {})
    for name in names:
        if inputs.get(name):
            resolved.values[name] = inputs[name]
            resolved.sources[name] = f"input {name}"
            continue
        for variable in CARRIERS.get(name, ()):
            if environ.get(variable):
                resolved.values[name] = environ[variable]
                resolved.sources[name] = f"variable {variable}"
                break
    return resolved


def exports(resolved: Resolved, inputs: Mapping[str, str]) -> dict[str, str]:
    """Variable -> secret value, for every carrier of every resolved secret."""
    found: dict[str, str] = {}
    for name, value in resolved.values.items():
        for variable in CARRIERS.get(name, ()):
            found[variable] = value
    for name, carriers in INPUT_ONLY.items():
        if inputs.get(name):
            for variable in carriers:
                found[variable] = inputs[name]
    return found
