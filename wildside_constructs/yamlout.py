"""Deterministic YAML: one style, sorted keys, LF, trailing newline.

Byte-for-byte stable output is what lets a re-run make no commit, so every
document goes through this one emitter.
"""

from __future__ import annotations

from typing import Any

import yaml


class _Dumper(yaml.SafeDumper):
    """Safe dumper with block literals for multi-line text and indented lists."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)
# Tuples are how frozen dataclasses hold lists; render them as YAML sequences.
_Dumper.add_representer(tuple, lambda d, v: d.represent_list(list(v)))


def dump(document: Any) -> str:
    """Render one document as canonical YAML text."""
    text = yaml.dump(
        document,
        Dumper=_Dumper,
        sort_keys=True,
        default_flow_style=False,
        allow_unicode=True,
        width=1 << 16,
        line_break="\n",
        explicit_start=False,
    )
    return text if text.endswith("\n") else text + "\n"


# libyaml's parser is an order of magnitude faster and reads the same documents.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(text: str) -> Any:
    """Parse YAML text produced by :func:`dump` (or any safe YAML)."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader, C or Python
