"""The environments a platform change moves through, and where each one's copy lives.

``sandbox`` runs the shared ``platform/`` folder every publish writes;
``staging`` and ``production`` run their own copies, written only by
``wildside promote`` (docs/promotion.md).
"""

from __future__ import annotations

ENVIRONMENTS = ("sandbox", "staging", "production")


def platform_root(environment: str) -> str:
    """The GitOps folder holding ``environment``'s platform definitions."""
    return "platform" if environment == "sandbox" else f"environments/{environment}/platform"
