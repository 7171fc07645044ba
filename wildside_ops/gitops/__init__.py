"""Publish one cluster's rendered GitOps files into a git repository.

The post-synth back end: given every path and its exact text for one cluster,
make the repository's branch hold exactly that, like a careful release tool.

Rules, in brief:

* A cluster writes only ``clusters/<cluster>/``, ``platform/`` and ``modules/``.
  What it wrote is recorded in the repository, in
  ``.wildside/ownership/<cluster>.json``, and a later publish prunes its own
  paths that are no longer rendered (shared paths only when no other cluster's
  record lists them and no other cluster's Flux tree applies them). Nothing
  else is ever touched. ``remove_cluster`` takes a whole cluster out.
* Changing a ``platform/`` file another cluster also publishes needs consent
  (``allow_shared_change``).
* The commit is built in a throw-away index; the working tree, index and local
  branch move only once the commit exists and, with a remote, has been pushed.
  A failure leaves all of them, and the remote, as they were. A workdir this
  call had to create may be left behind as an empty repository or fresh clone.
* Pushes are compare-and-swap on the remote tip; a rejection re-fetches, plans
  again on the new tip and retries with jittered back-off within
  ``push_budget_seconds``. Another publisher's change to this cluster's own
  files meanwhile is refused unless ``allow_overwrite``. Publishers sharing one
  workdir take turns through a lock file inside ``.git/``; the next one repairs
  what a killed one left (``recovery``).
* Credentials in the remote URL reach git per command, never ``.git/config``.
* Owned-prefix mode (``owned_prefixes``, used by ``wildside app`` for the apps
  repository): the request owns exactly those paths and folders instead, with
  no ownership record; ``files_for_base`` renders the files again on each
  attempt's base tree, so a shared listing survives concurrent publishers.
  That base tree carries its commit and each path's last change (provenance),
  ``message`` may write the commit message from the plan, and
  ``review_branch`` puts the commit on a new branch for review instead of the
  published one (``wildside promote`` uses all three).
* Commit signing follows git configuration: with ``commit.gpgSign`` true the
  commit is made with ``git commit-tree -S`` (which does not read that setting
  itself), using git's own signing set-up.
"""

from __future__ import annotations

from wildside_ops.gitops.errors import PublishError
from wildside_ops.gitops.model import PublishRequest, PublishResult
from wildside_ops.gitops.publisher import publish

__all__ = ["PublishError", "PublishRequest", "PublishResult", "publish"]
