"""``wildside gitops bootstrap``: create or reconcile the GitOps repository on GitHub.

Through the GitHub API (PyGithub): the repository in its organisation, its seed
layout, an ed25519 deploy key for Flux (private half in Vault, public half
attached read-only) and the default branch's protection. Every run verifies
every piece and repairs only what drifted, so a run that failed half-way is
completed by the next, and a run with nothing to do makes no API write.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wildside_ops.repo_bootstrap.model import BootstrapError, BootstrapRequest, Step

if TYPE_CHECKING:
    from wildside_ops.repo_bootstrap.run import bootstrap

__all__ = ["BootstrapError", "BootstrapRequest", "Step", "bootstrap"]


def __getattr__(name: str) -> Any:
    # PyGithub costs a second to import: only a bootstrap that runs pays for it.
    if name == "bootstrap":
        from wildside_ops.repo_bootstrap.run import bootstrap

        return bootstrap
    raise AttributeError(name)
