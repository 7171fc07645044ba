"""Construct inputs that are either plain values or Terraform expressions.

cluster-stack passes plain values, so its JSON reads like the configuration;
the ``infra-modules`` generator passes :class:`Ref` (``var.node_pools``) so the
same construct synthesises a reusable module. One construct, two renderings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cdktf import IResolvable, Token


@dataclass(frozen=True)
class Ref:
    """A Terraform expression such as ``var.node_pools`` (without ``${}``)."""

    expression: str

    def __str__(self) -> str:
        return "${" + self.expression + "}"

    def at(self, suffix: str) -> Ref:
        """``expr[0]``, ``expr.size``: a sub-expression."""
        return Ref(f"{self.expression}{suffix}")

    def attr(self, name: str, default: str) -> Ref:
        """``try(expr.name, default)``: module inputs may leave optional fields out."""
        return Ref(f"try({self.expression}.{name}, {default})")


def known(value: Any) -> bool:
    """A plain value: not a :class:`Ref`, a ``${...}`` expression or a token.

    Only plain values can be checked when a construct is built; a module's
    variables carry their own validation rules, checked at plan time.
    """
    if isinstance(value, Ref) or (isinstance(value, str) and "${" in value):
        return False
    return not (isinstance(value, str | int | float) and Token.is_unresolved(value))


def at(where: str, name: str) -> str:
    """A settings field's name as a problem reports it (``node_pools[0].count``)."""
    return f"{where}.{name}" if where else name


def text(value: str | Ref) -> str:
    return str(value)


def number(value: int | Ref | None) -> float | None:
    if isinstance(value, Ref):
        return Token.as_number(str(value))
    return value


def flag(value: bool | Ref) -> bool | IResolvable:
    if isinstance(value, Ref):
        return Token.as_any(str(value))
    return value


def strings(value: tuple[str, ...] | Ref) -> list[str] | None:
    if isinstance(value, Ref):
        return Token.as_list(str(value))
    return list(value) or None


def string_map(value: dict[str, str] | Ref) -> Mapping[str, str] | None:
    if isinstance(value, Ref):
        return Token.as_string_map(str(value))
    return dict(value) or None


def as_any(value: Any) -> Any:
    return Token.as_any(str(value)) if isinstance(value, Ref) else value
