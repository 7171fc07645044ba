"""wildside-infra-k8s constructs: DOKS clusters and Flux-ready platform components.

What to import (each name loads its module only when used):

- the component registry: ``COMPONENTS``, ``BY_KEY``, ``ComponentSpec``
  (``wildside_constructs.registry``; docs/adding-a-component.md);
- the plain data constructs exchange: ``ClusterContext``, ``DeployUnit``,
  ``HelmSource`` (``wildside_constructs.model``);
- errors: ``Problem`` (field and fix), ``SettingsError`` (a construct's settings
  are invalid), ``RenderError`` (the rendered tree breaks a rule).

Subpackages: ``platform`` (one construct per component, plus shared building
blocks), ``settings`` (each construct's settings dataclass), ``cluster`` (the
DOKS cluster, VPC and Flux bootstrap), ``validation`` (rules and schemas).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wildside_constructs.exports import lazy_exports

if TYPE_CHECKING:
    from wildside_constructs.model import ClusterContext, DeployUnit, HelmSource
    from wildside_constructs.problems import Problem
    from wildside_constructs.registry import BY_KEY, COMPONENTS, ComponentSpec
    from wildside_constructs.validation.errors import RenderError, SettingsError

_EXPORTS = {
    "BY_KEY": "wildside_constructs.registry",
    "COMPONENTS": "wildside_constructs.registry",
    "ComponentSpec": "wildside_constructs.registry",
    "ClusterContext": "wildside_constructs.model",
    "DeployUnit": "wildside_constructs.model",
    "HelmSource": "wildside_constructs.model",
    "Problem": "wildside_constructs.problems",
    "RenderError": "wildside_constructs.validation.errors",
    "SettingsError": "wildside_constructs.validation.errors",
}
__all__ = [
    "BY_KEY",
    "COMPONENTS",
    "ClusterContext",
    "ComponentSpec",
    "DeployUnit",
    "HelmSource",
    "Problem",
    "RenderError",
    "SettingsError",
]
__getattr__, __dir__ = lazy_exports(__name__, lambda: _EXPORTS)
