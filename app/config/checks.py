"""Input checks that span the whole configuration, run before anything is written.

They complement the per-field rules in ``validate.py``: text that must stay
text through every YAML reader, git's own rules for branch names and
identities, length limits, Vault path segments, and the GitOps folder itself.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from app.config.model import WildsideConfig
from wildside_constructs.cluster.rules import BRANCH_FIX, branch_problems
from wildside_constructs.problems import Problem

__all__ = [
    "MAX_TEXT",
    "gitops_dir_problems",
    "input_problems",
    "reads_as_text",
    "text_problems",
]

# Generous for any real value, small enough that a pasted file or a runaway
# script is caught before it reaches git, Terraform or a manifest.
MAX_TEXT = 1024
_LIMITS = {
    "gitops.repository_url": 2048,
    "gitops.remote": 4096,
    "gitops.dir": 4096,
    # A few host keys (an RSA line alone is about 600 characters).
    "gitops.known_hosts": 16384,
}
# PEM bundles hold several certificates of a few KB each.
_PEM_SUFFIXES = ("ca_bundle", "certificate", "_pem")
MAX_PEM = 256 * 1024
MAX_NODES = 1000

# Every scalar YAML 1.1 (PyYAML, Go's yaml.v2 behind kubectl and Flux) or
# YAML 1.2 core (yaml.v3) reads as a boolean, null or number rather than text.
_WORDS = ("y", "yes", "n", "no", "true", "false", "on", "off", "null")
_BOOL_NULL = frozenset(
    variant for word in _WORDS for variant in (word, word.capitalize(), word.upper())
) | {"~"}
_NUMBER = re.compile(
    r"""^[-+]?(
        [0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?      # 1, 1_000, 1.5, 1e3
      | \.[0-9_]+([eE][-+]?[0-9]+)?                     # .5
      | 0[xX][0-9a-fA-F_]+ | 0[oO][0-7_]+ | 0[bB][01_]+ # 0x1, 0o7, 0b1
      | \.(inf|Inf|INF) | \.(nan|NaN|NAN)               # .inf, .nan
      | [0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?         # 190:20:30 (base 60)
    )$""",
    re.VERBOSE,
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# git strips these from either end of an identity and drops '<' and '>'.
_NAME_CRUD = ".,:;<>\"\\'"
_EMAIL = re.compile(r"^[^<>\s@]+@[^<>\s@]+\.[^<>\s@]+$")
_VAULT_FIELD = re.compile(r"(^|_)vault_path$")


def reads_as_text(value: str) -> bool:
    """Whether ``value`` stays a string when any YAML reader meets it unquoted."""
    if value in _BOOL_NULL or _NUMBER.match(value):
        return False
    try:
        loaded = yaml.safe_load(value)
    except yaml.YAMLError:
        # Not a plain scalar at all (e.g. '*x' or '&x'); the field's own
        # pattern reports it, so it is not a retyping problem.
        return True
    return isinstance(loaded, str)


def text_problems(field: str, value: str) -> list[Problem]:
    """A field that Flux substitutes into YAML must not turn into another type."""
    if not value or reads_as_text(value):
        return []
    return [
        Problem(
            field,
            f"{value!r} reads as a number, boolean or null once Flux substitutes it into "
            "a YAML manifest; include a letter (e.g. 'c123')",
        )
    ]


def _strings(value: Any, where: str) -> Iterator[tuple[str, Any]]:
    """Every leaf of the configuration, with its field name."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from _strings(getattr(value, item.name), f"{where}.{item.name}".lstrip("."))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{where}.{key}".lstrip("."))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _strings(item, f"{where}[{index}]")
    else:
        yield where, value


def _leaves(config: WildsideConfig) -> Iterator[tuple[str, Any]]:
    for name in ("cluster", "gitops", "state", "flux", "components"):
        yield from _strings(getattr(config, name), name)
    for index, pool in enumerate(config.node_pools):
        yield from _strings(pool, f"node_pools[{index}]")
    for key, settings in config.settings.items():
        yield from _strings(settings, key)


def _length_problems(config: WildsideConfig) -> list[Problem]:
    found: list[Problem] = []
    for field, value in _leaves(config):
        pem = field.rsplit(".", 1)[-1].endswith(_PEM_SUFFIXES)
        limit = MAX_PEM if pem else _LIMITS.get(field, MAX_TEXT)
        if isinstance(value, str) and len(value) > limit:
            found.append(
                Problem(field, f"is {len(value)} characters long; at most {limit} are allowed")
            )
        # Floats, because inf and nan pass every comparison-based range check.
        if isinstance(value, float) and not math.isfinite(value):
            found.append(Problem(field, f"{value!r} is not a finite number"))
    for index, pool in enumerate(pool for pool in config.node_pools):
        for name in ("count", "min_nodes", "max_nodes"):
            number = getattr(pool, name)
            if isinstance(number, int) and number > MAX_NODES:
                found.append(
                    Problem(
                        f"node_pools[{index}].{name}",
                        f"is {number}; a pool has at most {MAX_NODES} nodes",
                    )
                )
    return found


def _vault_problems(config: WildsideConfig) -> list[Problem]:
    """``..``, ``.`` or empty segments would leave the cluster's own KV folder."""
    found: list[Problem] = []
    for field, value in _leaves(config):
        if not isinstance(value, str) or not _VAULT_FIELD.search(field.rsplit(".", 1)[-1]):
            continue
        segments = value.split("/")
        if value and ("" in segments or {".", ".."} & set(segments)):
            found.append(
                Problem(
                    field,
                    f"{value!r} has an empty, '.' or '..' segment; give a plain KV path "
                    "such as 'wildside/${cluster_name}/name'",
                )
            )
    return found


def _branch_problems(branch: str) -> list[Problem]:
    # The shape checks FluxBootstrapSettings applies too; then git's own verdict.
    shape = branch_problems("gitops.branch", branch)
    if shape:
        return shape
    try:
        found = subprocess.run(
            ["git", "check-ref-format", "--branch", branch],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=False,
            # Outside any repository, so '@{-1}' cannot resolve to a real branch.
            cwd="/",
            env={**os.environ, "GIT_CEILING_DIRECTORIES": "/", "GIT_DIR": "/nonexistent"},
        )
    except OSError:
        return []  # no git here: the publisher will say so
    if found.returncode != 0 or found.stdout.decode().strip() != branch:
        return [
            Problem(
                "gitops.branch",
                f"{branch!r} is refused by git check-ref-format --branch; {BRANCH_FIX}",
            )
        ]
    return []


def _identity_problems(name: str, email: str) -> list[Problem]:
    found: list[Problem] = []
    if not name.strip():
        found.append(Problem("gitops.author_name", "must not be empty; give e.g. 'wildside-bot'"))
    elif (
        _CONTROL.search(name)
        or set("<>") & set(name)
        or name[0] in _NAME_CRUD + " "
        or name[-1] in _NAME_CRUD + " "
    ):
        found.append(
            Problem(
                "gitops.author_name",
                f"{name!r} would be rewritten by git: no '<', '>' or control characters, "
                f"and no leading or trailing blanks or any of {_NAME_CRUD}",
            )
        )
    if not _EMAIL.match(email) or len(email) > 254:
        found.append(
            Problem(
                "gitops.author_email",
                f"{email!r} is not an e-mail address git keeps as given "
                "(name@host.domain, no '<', '>' or blanks)",
            )
        )
    return found


def gitops_dir_problems(folder: Path) -> list[Problem]:
    """The GitOps folder must be (or become) a writable folder."""
    field = "gitops.dir"
    if folder.is_symlink() and not folder.exists():
        return [Problem(field, f"{folder} is a broken symbolic link; fix or remove it")]
    if folder.exists() and not folder.is_dir():
        return [Problem(field, f"{folder} exists and is not a folder; give a folder path")]
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return [Problem(field, f"{existing} is not a folder, so {folder} cannot be created")]
    if not os.access(existing, os.W_OK | os.X_OK):
        return [Problem(field, f"{existing} is not writable; give a folder this user can write to")]
    return []


def input_problems(config: WildsideConfig) -> list[Problem]:
    """Every cross-cutting input problem; see the module docstring."""
    gitops = config.gitops
    found = _length_problems(config) + _vault_problems(config)
    found += _branch_problems(gitops.branch)
    found += _identity_problems(gitops.author_name, gitops.author_email)
    if not 0 <= gitops.push_budget_seconds <= 3600:
        found.append(
            Problem("gitops.push_budget_seconds", "must be from 0 to 3600 seconds (default 300)")
        )
    return found
