"""Load the configuration: TOML file, then ``WILDSIDE_*`` overrides, then checks.

Nothing here touches the disk beyond reading the file, so a bad configuration
fails before any output is written.
"""

from __future__ import annotations

import copy
import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from app.config.coerce import from_mapping
from app.config.errors import ConfigError, Problem
from app.config.model import (
    ClusterSettings,
    Components,
    FluxSettings,
    GitOpsSettings,
    NodePool,
    StateSettings,
    WildsideConfig,
)
from app.config.validate import validate
from wildside_constructs.registry import BY_KEY, COMPONENTS

EXAMPLE_CONFIG = Path(__file__).with_name("example.toml")
CONFIG_ENV = "WILDSIDE_CONFIG"

# Environment variable -> (table, key). Strings unless listed in _BOOLEAN_ENV.
STRING_ENV: dict[str, tuple[str, str]] = {
    "WILDSIDE_CLUSTER_NAME": ("cluster", "name"),
    "WILDSIDE_ENVIRONMENT": ("cluster", "environment"),
    "WILDSIDE_REGION": ("cluster", "region"),
    "WILDSIDE_KUBERNETES_VERSION": ("cluster", "kubernetes_version"),
    "WILDSIDE_DOMAIN": ("cluster", "domain"),
    "WILDSIDE_ACME_EMAIL": ("cluster", "acme_email"),
    "WILDSIDE_GITOPS_REPOSITORY": ("gitops", "repository_url"),
    "WILDSIDE_GITOPS_DIR": ("gitops", "dir"),
    "WILDSIDE_GITOPS_REMOTE": ("gitops", "remote"),
    "WILDSIDE_GITOPS_BRANCH": ("gitops", "branch"),
    "WILDSIDE_GIT_AUTHOR_NAME": ("gitops", "author_name"),
    "WILDSIDE_GIT_AUTHOR_EMAIL": ("gitops", "author_email"),
    "WILDSIDE_STATE_BACKEND": ("state", "backend"),
    "WILDSIDE_STATE_BUCKET": ("state", "bucket"),
    "WILDSIDE_STATE_REGION": ("state", "region"),
    "WILDSIDE_STATE_ENDPOINT": ("state", "endpoint"),
    "WILDSIDE_STATE_KEY_PREFIX": ("state", "key_prefix"),
    "WILDSIDE_FLUX_KUBE_AUTH": ("flux", "kube_auth"),
    "WILDSIDE_APPS_NAME": ("apps", "name"),
    "WILDSIDE_APPS_DIR": ("apps", "dir"),
    "WILDSIDE_APPS_REMOTE": ("apps", "remote"),
    "WILDSIDE_APPS_BRANCH": ("apps", "branch"),
    "WILDSIDE_APPS_GITHUB_API_URL": ("apps", "github_api_url"),
}
BOOLEAN_ENV: dict[str, tuple[str, str]] = {
    "WILDSIDE_ALLOW_DESTROY": ("cluster", "allow_destroy"),
    "WILDSIDE_STATE_ENCRYPTION": ("state", "encryption"),
    "WILDSIDE_STATE_USE_PATH_STYLE": ("state", "use_path_style"),
    "WILDSIDE_FLUX_BOOTSTRAP": ("flux", "bootstrap"),
    **{spec.env: ("components", spec.key) for spec in COMPONENTS},
}
NODE_POOLS_ENV = "WILDSIDE_NODE_POOLS"

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def config_path(environ: Mapping[str, str]) -> Path:
    named = environ.get(CONFIG_ENV, "").strip()
    return Path(named) if named else EXAMPLE_CONFIG


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        problem = Problem(CONFIG_ENV, f"file {path} does not exist; point it at a TOML file")
        raise ConfigError([problem]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([Problem(str(path), f"is not valid TOML: {exc}")]) from None


def apply_environment(raw: dict[str, Any], environ: Mapping[str, str]) -> list[Problem]:
    """Overlay ``WILDSIDE_*`` variables onto the file's data, in place."""
    problems: list[Problem] = []
    for name, (table, key) in STRING_ENV.items():
        if name in environ:
            raw.setdefault(table, {})[key] = environ[name]
    for name, (table, key) in BOOLEAN_ENV.items():
        if name not in environ:
            continue
        text = environ[name].strip().lower()
        if text in _TRUE | _FALSE:
            raw.setdefault(table, {})[key] = text in _TRUE
        else:
            problems.append(Problem(name, f"expected true or false, got {environ[name]!r}"))
    if NODE_POOLS_ENV in environ:
        try:
            pools = json.loads(environ[NODE_POOLS_ENV])
        except json.JSONDecodeError as exc:
            problems.append(Problem(NODE_POOLS_ENV, f"is not valid JSON: {exc}"))
        else:
            raw["node_pools"] = pools
    return problems


def load_config(environ: Mapping[str, str] | None = None) -> WildsideConfig:
    """Read, overlay and validate; raise :class:`ConfigError` listing every problem."""
    env = os.environ if environ is None else environ
    path = config_path(env)
    return config_from_raw(_read(path), env, str(path))


def config_from_raw(raw: dict[str, Any], environ: Mapping[str, str], source: str) -> WildsideConfig:
    """Overlay the environment on already-parsed data, coerce and validate."""
    env = environ
    raw = copy.deepcopy(raw)
    problems = apply_environment(raw, env)
    settings: dict[str, Any] = {}
    for key, spec in BY_KEY.items():
        settings[key] = from_mapping(spec.settings, raw.pop(key, {}), key, problems)
    known = {"cluster", "node_pools", "gitops", "state", "flux", "components"}
    for table in sorted(set(raw) - known):
        names = ", ".join(sorted(known | set(BY_KEY)))
        problems.append(Problem(table, f"unknown table; known tables: {names}"))
    pools_raw = raw.get("node_pools", [])
    if not isinstance(pools_raw, list):
        problems.append(Problem("node_pools", "expected a list of tables ([[node_pools]])"))
        pools_raw = []
    config = WildsideConfig(
        cluster=from_mapping(ClusterSettings, raw.get("cluster", {}), "cluster", problems),
        node_pools=tuple(
            from_mapping(NodePool, pool, f"node_pools[{index}]", problems)
            for index, pool in enumerate(pools_raw)
        ),
        gitops=from_mapping(GitOpsSettings, raw.get("gitops", {}), "gitops", problems),
        state=from_mapping(StateSettings, raw.get("state", {}), "state", problems),
        flux=from_mapping(FluxSettings, raw.get("flux", {}), "flux", problems),
        components=from_mapping(Components, raw.get("components", {}), "components", problems),
        settings=settings,
        source=source,
    )
    # Semantic checks run even after type errors so every problem shows at once,
    # but a field already reported is not reported twice.
    reported = {problem.field for problem in problems}
    problems.extend(p for p in validate(config) if p.field not in reported)
    if problems:
        raise ConfigError(problems, source=source)
    return config
