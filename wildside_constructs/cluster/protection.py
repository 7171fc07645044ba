"""Destroy protection, enforced on the synthesised resources themselves.

Setting ``prevent_destroy`` in each construct is easy to forget in the next
one; an Aspect sees every resource in the stack, including ones added later by
other constructs, and refuses to synthesise a protected type without it.
"""

from __future__ import annotations

from typing import Any

import jsii
from cdktf import Aspects, IAspect, TerraformResource, TerraformStack
from constructs import IConstruct

from wildside_constructs.cluster.errors import DestroyProtectionError
from wildside_constructs.problems import Problem

PROTECTED_TYPES = frozenset(
    {
        "digitalocean_kubernetes_cluster",
        "digitalocean_kubernetes_node_pool",
        "digitalocean_vpc",
    }
)

CLUSTER_CONSENT = "cluster.allow_destroy = true (WILDSIDE_ALLOW_DESTROY=true)"


def _prevents_destroy(resource: TerraformResource) -> bool:
    # to_terraform() merges add_override() values, so an override counts too.
    synthesised: dict[str, Any] = resource.to_terraform()
    body = synthesised["resource"][resource.terraform_resource_type][resource.friendly_unique_id]
    lifecycle = body.get("lifecycle") or {}
    return lifecycle.get("prevent_destroy") is True


@jsii.implements(IAspect)
class DestroyProtection:
    """Fail synth when a protected resource could be destroyed by accident."""

    def __init__(
        self,
        *,
        allow_destroy: bool,
        types: frozenset[str] = PROTECTED_TYPES,
        consent: str = CLUSTER_CONSENT,
    ) -> None:
        self.allow_destroy = allow_destroy
        self.types = types
        self.consent = consent

    def problem(self, node: IConstruct) -> Problem | None:
        if self.allow_destroy or not isinstance(node, TerraformResource):
            return None
        kind = node.terraform_resource_type
        if kind not in self.types or _prevents_destroy(node):
            return None
        return Problem(
            node.node.path,
            f"{kind}.{node.friendly_unique_id} has no lifecycle.prevent_destroy = true; add "
            f"it, or set {self.consent} to destroy",
        )

    def visit(self, node: IConstruct) -> None:
        # cdktf calls this during synth; jsii re-raises it as RuntimeError with
        # this message, so the message alone must say what is wrong.
        found = self.problem(node)
        if found is not None:
            raise DestroyProtectionError([found])

    def check(self, scope: IConstruct) -> None:
        """Every problem at once, before synth writes any file."""
        problems = [p for node in scope.node.find_all() if (p := self.problem(node))]
        if problems:
            raise DestroyProtectionError(problems)


def protect(
    stack: TerraformStack,
    *,
    allow_destroy: bool,
    types: frozenset[str] = PROTECTED_TYPES,
    consent: str = CLUSTER_CONSENT,
) -> DestroyProtection:
    aspect = DestroyProtection(allow_destroy=allow_destroy, types=types, consent=consent)
    Aspects.of(stack).add(aspect)
    return aspect
