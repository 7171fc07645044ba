"""platform-stack: render mode. Outputs Flux-ready manifests and contracts.

The stack declares no provider and no resource, only outputs, so any
OpenTofu/Terraform engine can init and apply it offline and ``output -json``
returns exactly the tree the post-synth hook publishes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cdktf import TerraformOutput, TerraformStack
from constructs import Construct

from stacks.state import StackState, configure_state
from wildside_constructs.model import SOURCES, ClusterContext, DeployUnit
from wildside_constructs.platform.cluster_tree import ClusterTree
from wildside_constructs.platform.component import PlatformComponent
from wildside_constructs.platform.network import client_problems, created_namespaces, secure
from wildside_constructs.platform.sources import Sources
from wildside_constructs.promotion import promoted_view
from wildside_constructs.registry import BY_KEY
from wildside_constructs.validation.errors import RenderError
from wildside_constructs.validation.rules import tree_problems
from wildside_constructs.validation.schemas import SchemaStore
from wildside_constructs.validation.tree import managed_path_problems, merge, schema_problems
from wildside_constructs.yamlout import dump


@dataclass(frozen=True)
class PlatformStackSettings:
    context: ClusterContext
    # Component key -> settings, for the enabled components only, in registry order.
    components: Mapping[str, Any]
    # Validate against upstream schemas at synth time when a store is given.
    schemas: SchemaStore | None = None
    # The cluster's backend (its own key, platform-stack.tfstate); None: local.
    state: StackState | None = None


def escape_for_terraform(text: str) -> str:
    """Keep Flux's ``${var}`` literal: Terraform would read it as interpolation."""
    return text.replace("${", "$${").replace("%{", "%%{")


class PlatformStack(TerraformStack):
    def __init__(self, scope: Construct, id: str, *, settings: PlatformStackSettings) -> None:
        super().__init__(scope, id)
        configure_state(self, id, settings.state or StackState(cluster=settings.context.name))
        context = settings.context
        self.components: dict[str, PlatformComponent] = {}
        for key, component_settings in settings.components.items():
            cls = BY_KEY[key].construct_class()
            self.components[key] = cls(self, key, context=context, settings=component_settings)
        # Default-deny ingress in every namespace the platform creates, plus its allows.
        created = created_namespaces([u for c in self.components.values() for u in c.units])
        known = set(created) | set(context.app_namespaces)
        network_problems = client_problems(settings.components, known, context)
        if network_problems:
            raise RenderError(network_problems)
        for component in self.components.values():
            component.units = secure(component.units, settings.components, context)
        sources = Sources(
            self,
            "sources",
            context=context,
            sources=[s for c in self.components.values() for s in c.sources],
        )
        units: list[tuple[str, DeployUnit]] = [(SOURCES, sources.unit)]
        for component in self.components.values():
            units.extend((component.spec.folder, unit) for unit in component.units)
        self.tree = ClusterTree(self, "cluster-tree", context=context, units=units)

        parts = [(key, c.files) for key, c in self.components.items()]
        parts += [("sources", sources.files), ("cluster tree", self.tree.files)]
        documents, problems = merge(parts)
        for path in documents:
            problems.extend(managed_path_problems(path, context.name))
        # Checked as this cluster will apply it: through its environment's copy.
        problems.extend(tree_problems(promoted_view(documents, context.environment)))
        # Serialised once: the same text is validated, output and published.
        texts = {path: dump(documents[path]) for path in sorted(documents)}
        if settings.schemas is not None:
            all_units = [unit for _part, unit in units] + list(sources.source_units)
            problems.extend(schema_problems(documents, all_units, settings.schemas, texts))
        if problems:
            raise RenderError(problems)

        self.documents = documents
        self.rendered: dict[str, str] = texts
        self.enabled = tuple(self.components)
        TerraformOutput(
            self,
            "rendered_manifests",
            value={path: escape_for_terraform(text) for path, text in self.rendered.items()},
            description="GitOps path -> YAML text of every rendered manifest",
        )
        TerraformOutput(self, "enabled_components", value=list(self.enabled))
        TerraformOutput(self, "manifest_count", value=len(self.rendered))
        for key, component in self.components.items():
            TerraformOutput(self, f"{key}_contract", value=component.contract())
