"""Where each environment's clusters read the shared platform definitions.

``platform/`` is written by every publish and is what ``sandbox`` runs. The
later environments run a promoted copy, ``environments/<env>/platform/``,
which only ``wildside promote`` writes (docs/promotion.md).
"""

from __future__ import annotations

from collections.abc import Iterable

# In promotion order: each environment is promoted from the one before it.
ENVIRONMENTS = ("sandbox", "staging", "production")


def previous_environment(environment: str) -> str:
    """The environment ``environment`` is promoted from (a later one than sandbox)."""
    return ENVIRONMENTS[ENVIRONMENTS.index(environment) - 1]


def platform_root(environment: str) -> str:
    """The folder holding the platform definitions ``environment``'s clusters apply."""
    if environment == ENVIRONMENTS[0]:
        return "platform"
    return f"environments/{environment}/platform"


# Encrypted per-cluster Secrets (``wildside secrets``) belong to one cluster and
# are never promoted; every cluster reads them where they are written.
UNPROMOTED = ("platform/secrets/clusters/",)


def deployed_folder(folder: str, environment: str) -> str:
    """The folder ``environment``'s clusters apply for the rendered ``folder``."""
    if not folder.startswith("platform/") or folder.startswith(UNPROMOTED):
        return folder
    return platform_root(environment) + folder[len("platform") :]


def is_promoted(path: str) -> bool:
    """Whether ``path`` is inside some environment's promoted copy."""
    parts = path.split("/")
    return len(parts) > 2 and parts[0] == "environments" and parts[2] == "platform"


def shared_path(path: str) -> str:
    """``path`` with a promoted copy's ``environments/<env>/`` prefix removed."""
    return path.split("/", 2)[2] if is_promoted(path) else path


def promoted_view(files: dict[str, object], environment: str) -> dict[str, object]:
    """``files`` plus the copy ``environment``'s clusters would read once promoted.

    Synth checks the tree a cluster will apply after the next promotion: the
    rendered ``platform/`` files, read where that environment's clusters read them.
    """
    if environment == ENVIRONMENTS[0]:
        return files
    view = dict(files)
    for path, document in files.items():
        if (moved := deployed_folder(path, environment)) != path:
            view[moved] = document
    return view


def awaits_promotion(folder: str, paths: Iterable[str]) -> bool:
    """A promoted environment's folder that no promotion has written yet."""
    return is_promoted(folder) and not any(path.startswith(f"{folder}/") for path in paths)
