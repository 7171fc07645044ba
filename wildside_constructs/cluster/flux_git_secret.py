"""The ``flux-system/flux-system`` Secret: Git credentials for the GitRepository.

HTTPS: ``username``/``password`` from a sensitive token variable (empty for a
public repository). SSH: ``identity`` (the deploy key's private half, from a
sensitive variable) and ``known_hosts`` (public host keys, written into the
stack as a local). Either way the Secret's data is **write-only**: the engine
sends it to the API server and never records it in state or a plan, and it
re-sends it only when ``data_wo_revision`` changes. The ``fluxcd`` module
chooses between the two at plan time (``FluxSshKey.condition``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cdktf import ITerraformDependable, TerraformLocal, Token
from cdktf_cdktf_provider_kubernetes.secret_v1 import SecretV1
from constructs import Construct

from wildside_constructs.cluster.flux_sync import GIT_SECRET_NAME
from wildside_constructs.cluster.git_ssh import IDENTITY, KNOWN_HOSTS
from wildside_constructs.cluster.values import Ref
from wildside_constructs.model import FLUX_NAMESPACE


@dataclass(frozen=True)
class FluxSshKey:
    """Flux's SSH credentials; the private key only ever as a sensitive variable."""

    # Sensitive variable holding the OpenSSH private key (read from Vault at deploy).
    identity: Ref
    # known_hosts lines for the Git host: public, so plain text in the stack.
    known_hosts: str | Ref
    # The key's Vault KV version: a rotated key has a new one, which re-sends it.
    key_version: Ref | int = 0
    # A plan-time choice (the module's ``var.git_auth == "ssh"``): SSH when true,
    # the HTTPS token otherwise. None: SSH always, as cluster-stack decides at synth.
    condition: Ref | None = None


def _expression(value: Ref | int) -> str:
    return value.expression if isinstance(value, Ref) else str(value)


def _https_data(token: Ref) -> str:
    # An empty Secret means anonymous HTTPS to source-controller, so the
    # GitRepository can always name it; nonsensitive() reveals only emptiness.
    expr = token.expression
    pairs = f'{{ username = "git", password = {expr} }}'
    return f'{{ for k, v in {pairs} : k => v if nonsensitive({expr} != "") }}'


def git_secret(
    scope: Construct,
    *,
    labels: dict[str, str],
    revision: Ref | int,
    token: Ref | None,
    ssh: FluxSshKey | None,
    depends_on: Sequence[ITerraformDependable],
) -> SecretV1:
    if ssh is not None:
        hosts = TerraformLocal(scope, "known_hosts", str(ssh.known_hosts))
        pairs = (
            f"{{ {IDENTITY} = {ssh.identity.expression}, "
            f"{KNOWN_HOSTS} = local.{hosts.friendly_unique_id} }}"
        )
        # Both only grow (a bumped flux.revision, a new KV version), so their
        # sum changes whenever either does. Plus one under SSH: switching auth
        # either way changes the sum, so the new credentials are sent even with
        # key version 0 (a key given directly, without Vault).
        added = f"1 + {_expression(ssh.key_version)}"
        if ssh.condition is not None:
            assert token is not None, "a plan-time choice needs the HTTPS token variable"
            choice = ssh.condition.expression
            pairs = f"{choice} ? tomap({pairs}) : tomap({_https_data(token)})"
            added = f"({choice} ? {added} : 0)"
        data = f"${{{pairs}}}"
        rotation = f"${{{_expression(revision)} + {added}}}"
        data_revision: float = Token.as_number(rotation)
    else:
        assert token is not None, "the HTTPS variant needs its token variable"
        data = f"${{{_https_data(token)}}}"
        data_revision = Token.as_number(str(revision)) if isinstance(revision, Ref) else revision
    return SecretV1(
        scope,
        "git-credentials",
        metadata={"name": GIT_SECRET_NAME, "namespace": FLUX_NAMESPACE, "labels": labels},
        type="Opaque",
        data_wo=Token.as_string_map(data),
        data_wo_revision=data_revision,
        # flux install (in the Job) creates the flux-system namespace.
        depends_on=list(depends_on),
    )
