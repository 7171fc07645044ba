"""Lazy package exports (PEP 562): ``from wildside_constructs.platform import Cnpg``.

A package lists what a library user imports from it, but loads each name's
module only when the name is used, so importing the package (as configuration
does) never pulls in jsii and the provider bindings.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    package: str, exports: Callable[[], Mapping[str, str]]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``; ``exports`` maps name -> module."""

    def getattr_(name: str) -> Any:
        module = exports().get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module), name)

    def dir_() -> list[str]:
        return sorted(exports())

    return getattr_, dir_
