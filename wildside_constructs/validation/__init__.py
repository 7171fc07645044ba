"""Render-time validation: every rule names the GitOps path and the rule broken."""

from wildside_constructs.validation.errors import RenderError

__all__ = ["RenderError"]
