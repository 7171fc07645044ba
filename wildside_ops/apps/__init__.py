"""The apps GitOps repository and pull-request previews (``wildside app …``).

A second repository, written by this program, holds the application's
``base/`` HelmRelease, long-lived ``overlays/production|staging/`` and one
``overlays/ephemeral/pr-<n>/`` per open pull request. Publishing goes through
the GitOps publisher in owned-prefix mode. Import nothing heavy here: the
commands must start without CDKTF or provider bindings.
"""

from __future__ import annotations

from wildside_ops.apps.context import AppContext
from wildside_ops.apps.operations import PreviewLimitError, deploy, gc, list_previews, teardown
from wildside_ops.apps.tree import Preview, long_lived_files, preview_files, preview_listing

__all__ = [
    "AppContext",
    "Preview",
    "PreviewLimitError",
    "deploy",
    "gc",
    "list_previews",
    "long_lived_files",
    "preview_files",
    "preview_listing",
    "teardown",
]
