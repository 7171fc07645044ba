"""Turn plain TOML/JSON data into frozen dataclasses, collecting every problem.

A generic coercer keeps the schema in one place (the dataclass annotations) and
gives users field-qualified messages such as ``traefik.replicas: expected an
integer, got 'two'`` instead of a traceback.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

from wildside_constructs.problems import Problem

T = TypeVar("T")


def _type_name(kind: Any) -> str:
    names = {str: "a string", int: "an integer", bool: "true or false", float: "a number"}
    if kind in names:
        return names[kind]
    origin = get_origin(kind)
    if origin in (list, tuple):
        return "a list"
    if origin is dict:
        return "a table"
    if dataclasses.is_dataclass(kind):
        return "a table"
    return str(kind)


def _scalar(value: Any, kind: Any, where: str, problems: list[Problem]) -> Any:
    """Check a scalar; bool is not accepted as int (TOML ``true`` is not ``1``)."""
    accepted = {
        bool: lambda v: isinstance(v, bool),
        int: lambda v: isinstance(v, int) and not isinstance(v, bool),
        float: lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        str: lambda v: isinstance(v, str),
    }
    if kind not in accepted:
        raise TypeError(f"unsupported configuration type {kind!r} at {where}")
    if accepted[kind](value):
        return float(value) if kind is float else value
    problems.append(Problem(where, f"expected {_type_name(kind)}, got {value!r}"))
    return _placeholder(kind)


def _union(value: Any, kind: Any, where: str, problems: list[Problem]) -> Any:
    options = [arg for arg in get_args(kind) if arg is not type(None)]
    if value is None:
        return None
    if len(options) == 1:
        return _coerce(value, options[0], where, problems)
    for option in options:
        scratch: list[Problem] = []
        result = _coerce(value, option, where, scratch)
        if not scratch:
            return result
    problems.append(Problem(where, f"expected one of {', '.join(map(_type_name, options))}"))
    return None


def _literal(value: Any, kind: Any, where: str, problems: list[Problem]) -> Any:
    allowed = get_args(kind)
    if value not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        problems.append(Problem(where, f"must be one of {choices}, got {value!r}"))
    return value


def _sequence(value: Any, kind: Any, where: str, problems: list[Problem]) -> Any:
    if not isinstance(value, list | tuple):
        problems.append(Problem(where, f"expected a list, got {value!r}"))
        return ()
    (item_kind, *_rest) = get_args(kind) or (Any,)
    return tuple(_coerce(v, item_kind, f"{where}[{i}]", problems) for i, v in enumerate(value))


def _table(value: Any, kind: Any, where: str, problems: list[Problem]) -> Any:
    if not isinstance(value, Mapping):
        problems.append(Problem(where, f"expected a table, got {value!r}"))
        return {}
    args = get_args(kind)
    value_kind = args[1] if args else Any
    return {str(k): _coerce(v, value_kind, f"{where}.{k}", problems) for k, v in value.items()}


_BY_ORIGIN = {
    Union: _union,
    types.UnionType: _union,
    Literal: _literal,
    list: _sequence,
    tuple: _sequence,
    dict: _table,
}


def _coerce(value: Any, kind: Any, where: str, problems: list[Problem]) -> Any:
    handler = _BY_ORIGIN.get(get_origin(kind) or kind)
    if handler is not None:
        return handler(value, kind, where, problems)
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        return from_mapping(kind, value, where, problems)
    if kind is Any:
        return value
    return _scalar(value, kind, where, problems)


def from_mapping(cls: type[T], data: Any, where: str, problems: list[Problem]) -> T:
    """Build ``cls`` from ``data``; unknown keys and bad types become problems."""
    if not isinstance(data, Mapping):
        problems.append(Problem(where or "(root)", f"expected a table, got {data!r}"))
        data = {}
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    prefix = f"{where}." if where else ""
    for key in sorted(set(data) - set(fields)):
        known = ", ".join(sorted(fields))
        problems.append(Problem(f"{prefix}{key}", f"unknown setting; known settings: {known}"))
    kwargs: dict[str, Any] = {}
    for name, field in fields.items():
        if name in data:
            kwargs[name] = _coerce(data[name], hints[name], f"{prefix}{name}", problems)
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            problems.append(Problem(f"{prefix}{name}", "is required; add it to the file"))
            kwargs[name] = _placeholder(hints[name])
    return cls(**kwargs)


def _placeholder(kind: Any) -> Any:
    """A harmless value for a missing required field, so checking can go on."""
    scalars: dict[Any, Any] = {str: "", int: 0, float: 0.0, bool: False}
    if kind in scalars:
        return scalars[kind]
    if get_origin(kind) in (list, tuple):
        return ()
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        return from_mapping(kind, {}, "", [])
    return None
