"""Destroy protection, enforced on the synthesised resources themselves.

Setting ``prevent_destroy`` in each construct is easy to forget in the next
one; an Aspect sees every resource in the stack, including ones added later by
other constructs, and refuses to synthesise a protected type without it.
"""

from __future__ import annotations

import re
from typing import Any

import jsii
from cdktf import Aspects, IAspect, TerraformResource, TerraformStack
from constructs import IConstruct

from wildside_constructs.cluster.errors import DestroyProtectionError
from wildside_constructs.cluster.rules import allow_destroy_problems
from wildside_constructs.problems import Problem
from wildside_constructs.validation.errors import SettingsError

PROTECTED_TYPES = frozenset(
    {
        "digitalocean_kubernetes_cluster",
        "digitalocean_kubernetes_node_pool",
        "digitalocean_vpc",
    }
)

CLUSTER_CONSENT = "cluster.allow_destroy = true (WILDSIDE_ALLOW_DESTROY=true)"
# A Terraform resource type: provider prefix and name, lower case with '_'.
RESOURCE_TYPE = re.compile(r"^[a-z][a-z0-9]*_[a-z0-9_]+$")


def protection_problems(
    *, allow_destroy: object, types: frozenset[str], consent: str
) -> list[Problem]:
    """Settings under which the Aspect would protect nothing, or say nothing useful."""
    found = allow_destroy_problems("allow_destroy", allow_destroy)
    if not types:
        found.append(
            Problem(
                "types",
                "is empty, so nothing would be protected; name the resource types that must "
                "not be destroyed (the default is PROTECTED_TYPES)",
            )
        )
    for kind in sorted(t for t in types if not RESOURCE_TYPE.match(str(t))):
        found.append(
            Problem(
                "types",
                f"{kind!r} is not a Terraform resource type such as digitalocean_vpc; "
                "a misspelt type protects nothing",
            )
        )
    if not consent.strip():
        found.append(
            Problem(
                "consent",
                "must not be empty: a refusal names it as the way to allow destroying, "
                "e.g. cluster.allow_destroy = true",
            )
        )
    return found


def _prevents_destroy(resource: TerraformResource) -> bool:
    # to_terraform() merges add_override() values, so an override counts too.
    synthesised: dict[str, Any] = resource.to_terraform()
    body = synthesised["resource"][resource.terraform_resource_type][resource.friendly_unique_id]
    lifecycle = body.get("lifecycle") or {}
    return lifecycle.get("prevent_destroy") is True


@jsii.implements(IAspect)
class DestroyProtection:
    """Fail synth when a protected resource could be destroyed by accident.

    Settings that would protect nothing raise :class:`SettingsError` at once.
    """

    def __init__(
        self,
        *,
        allow_destroy: bool,
        types: frozenset[str] = PROTECTED_TYPES,
        consent: str = CLUSTER_CONSENT,
    ) -> None:
        SettingsError.check(
            self, protection_problems(allow_destroy=allow_destroy, types=types, consent=consent)
        )
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
