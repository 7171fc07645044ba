"""Rules over the whole rendered tree, run before anything is serialised."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import PurePosixPath
from typing import Any

from wildside_constructs.model import DeployUnit
from wildside_constructs.problems import Problem
from wildside_constructs.registry import COMPONENTS
from wildside_constructs.validation.schemas import SchemaStore
from wildside_constructs.yamlout import dump, load

# Folders under platform/ a render may write: the chart sources and each component's.
PLATFORM_FOLDERS = ("sources", *(spec.folder for spec in COMPONENTS))
VARIABLE = re.compile(r"\$\{([_a-zA-Z][_a-zA-Z0-9]*)\}")


def managed_path_problems(path: str, cluster: str) -> list[Problem]:
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or "\\" in path or not path.endswith(".yaml"):
        return [Problem(path, "path: must be a relative POSIX path to a .yaml file")]
    parts = pure.parts
    if parts[0] == "clusters" and len(parts) > 2 and parts[1] == cluster:
        return []
    if parts[0] == "platform" and len(parts) > 2 and parts[1] in PLATFORM_FOLDERS:
        return []
    folders = ", ".join(f"platform/{name}/" for name in PLATFORM_FOLDERS)
    return [Problem(path, f"path: outside the managed folders (clusters/{cluster}/, {folders})")]


def merge(parts: Iterable[tuple[str, Mapping[str, Any]]]) -> tuple[dict[str, Any], list[Problem]]:
    """Merge rendered maps, reporting two manifests on one path."""
    merged: dict[str, Any] = {}
    owner: dict[str, str] = {}
    problems: list[Problem] = []
    for origin, files in parts:
        for path, document in files.items():
            if path in merged:
                problems.append(
                    Problem(path, f"duplicate: rendered by both {owner[path]} and {origin}")
                )
                continue
            merged[path] = document
            owner[path] = origin
    return merged, problems


def substitute(text: str, variables: Mapping[str, str]) -> str:
    """What Flux postBuild substitution makes of ``text`` for one cluster."""
    return VARIABLE.sub(lambda m: variables.get(m.group(1), m.group(0)), text)


def schema_problems(
    files: Mapping[str, Any],
    units: Iterable[DeployUnit],
    schemas: SchemaStore,
    texts: Mapping[str, str] | None = None,
) -> list[Problem]:
    """Validate each document as the cluster will see it, after substitution.

    ``texts`` (path -> serialised document) saves serialising twice; only a
    document with placeholders is re-parsed, since YAML parsing dominates.
    """
    variables_of = {unit.folder: unit.variables for unit in units}
    problems: list[Problem] = []
    for path, document in sorted(files.items()):
        folder = path.rsplit("/", 1)[0]
        variables = variables_of.get(folder, {})
        text = texts[path] if texts is not None else dump(document)
        used = set(VARIABLE.findall(text))
        missing = sorted(used - set(variables))
        if missing:
            problems.append(
                Problem(path, f"substitution: no value for {', '.join(missing)} in its unit")
            )
            continue
        seen = load(substitute(text, variables)) if used else document
        problems.extend(schemas.problems(path, seen))
    return problems
