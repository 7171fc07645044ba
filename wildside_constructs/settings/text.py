"""Checks for settings Flux substitutes into YAML, shared by several components.

Substitution is textual: a value lands unquoted in a manifest and is re-read as
YAML, so a setting must also survive that re-reading as the same string.
"""

from __future__ import annotations

import re

import yaml

from wildside_constructs.problems import Problem

# Kubernetes object names (Secrets, ConfigMaps) and keys within a Secret.
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
SECRET_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")


def reads_as_text(value: str) -> bool:
    """Whether ``value`` stays a string once Flux substitutes it into YAML.

    Substitution is textual, so ``true`` or ``123`` would reach the cluster as
    a boolean or a number where Kubernetes wants a string.
    """
    try:
        loaded: object = yaml.safe_load(value)
        return loaded == value
    except yaml.YAMLError:
        return False


def text_problems(where: str, value: str, pattern: re.Pattern[str], what: str) -> list[Problem]:
    """Empty, malformed, or retyped by YAML: each reported with the fix."""
    if not value:
        return [Problem(where, f"must not be empty; give {what}")]
    if not pattern.match(value):
        return [Problem(where, f"{value!r} is not {what}")]
    if not reads_as_text(value):
        return [
            Problem(
                where,
                f"{value!r} would become a number or boolean: Flux substitutes it into YAML "
                "unquoted; choose another value",
            )
        ]
    return []


DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


def namespace_list_problems(where: str, names: tuple[str, ...]) -> list[Problem]:
    """Each entry a namespace name (a DNS label), none repeated."""
    found: list[Problem] = []
    for index, name in enumerate(names):
        found += text_problems(
            f"{where}[{index}]", name, DNS_LABEL, "a namespace name (a DNS label)"
        )
    if len(set(names)) != len(names):
        found.append(Problem(where, "names a namespace twice"))
    return found
