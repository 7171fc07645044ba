"""The base construct every platform component derives from."""

from __future__ import annotations

import dataclasses
from typing import Any

from constructs import Construct

from wildside_constructs.model import ClusterContext, DeployUnit, HelmSource
from wildside_constructs.registry import ComponentSpec, settings_problems, spec_of
from wildside_constructs.validation.errors import SettingsError


class PlatformComponent(Construct):
    """Renders one component's Flux-ready folders and exposes its contract.

    Subclasses build their documents in ``__init__`` (as AWS CDK constructs
    do) through :meth:`add_unit` and :meth:`use_source`, and publish the values
    other components consume as a typed contract attribute (a frozen dataclass
    such as ``Traefik.traefik_contract``) plus :meth:`contract`, its stack output.
    Its registry entry (:attr:`spec`) names its GitOps folder, :attr:`folder`.
    Invalid ``settings`` raise :class:`SettingsError` before anything is built.
    """

    def __init__(
        self, scope: Construct, id: str, *, context: ClusterContext, settings: Any
    ) -> None:
        super().__init__(scope, id)
        self.spec: ComponentSpec = spec_of(type(self))
        # Checked here as well as by the configuration loader, so a construct
        # built directly refuses what a configuration file would, in the same words.
        SettingsError.check(self, settings_problems(self.spec.key, settings, context.enabled))
        self.folder = self.spec.platform_folder
        self.context = context
        self.settings = settings
        self.units: list[DeployUnit] = []
        self.sources: list[HelmSource] = []

    def use_source(self, source: HelmSource) -> HelmSource:
        if source not in self.sources:
            self.sources.append(source)
        return source

    def add_unit(self, unit: DeployUnit) -> DeployUnit:
        self.units.append(unit)
        return unit

    @property
    def files(self) -> dict[str, dict[str, Any]]:
        """GitOps path -> document for every folder this component renders."""
        rendered: dict[str, dict[str, Any]] = {}
        for unit in self.units:
            rendered.update(unit.files())
        return rendered

    def sibling(self, key: str) -> Any:
        """Another component of this cluster (rendered before this one), or None.

        None too when this construct is built alone, outside a platform.
        """
        return self.node.scope.node.try_find_child(key) if self.node.scope else None

    def contract(self) -> dict[str, Any]:
        """Values other components and users consume; published as stack outputs."""
        return {}


def contract_output(contract: Any) -> dict[str, Any]:
    """A typed contract (a frozen dataclass) as its ``<key>_contract`` stack output.

    Tuples become lists: stack outputs cross jsii, which carries lists but not
    tuples, and the contracts hold tuples so that they stay immutable.
    """
    output: dict[str, Any] = _lists(dataclasses.asdict(contract))
    return output


def _lists(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _lists(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(item) for item in value]
    return value
