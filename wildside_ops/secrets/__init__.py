"""Secrets that live in Git, encrypted with SOPS and age (``wildside secrets``).

Encrypted Secrets sit under ``platform/secrets/clusters/<cluster>/`` in the
GitOps repository, one file per Secret, listed by a ``kustomization.yaml`` in
that folder. ``.sops.yaml`` at the repository root holds one creation rule per
cluster naming that cluster's age recipients, so a file can only be encrypted
for the cluster whose folder it is in. Flux decrypts them in the cluster with
the age key External Secrets delivers from Vault into ``flux-system``; clusters
without ``[sops]`` never apply the folder.

Every value passes through the real ``sops`` binary on stdin and stdout: no
plaintext is written to disk, and no value appears on a command line we run.
"""

from __future__ import annotations

from wildside_ops.secrets.errors import SecretsError
from wildside_ops.secrets.layout import SecretsLayout

__all__ = ["SecretsError", "SecretsLayout"]
