"""Load the configuration: TOML file, then ``WILDSIDE_*`` overrides, then checks.

Nothing here touches the disk beyond reading the file, so a bad configuration
fails before any output is written.
"""

from __future__ import annotations

import copy
import difflib
import json
import os
import stat
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from app.config.capacity import capacity_problems
from app.config.checks import gitops_dir_problems
from app.config.coerce import from_mapping
from app.config.environments import apply_preset
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
from app.runtime import PROJECT_ROOT
from wildside_constructs.registry import BY_KEY, COMPONENTS
from wildside_constructs.vault_appliance.settings import VaultApplianceSettings

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
    "WILDSIDE_GITOPS_AUTH": ("gitops", "auth"),
    "WILDSIDE_GITOPS_KNOWN_HOSTS": ("gitops", "known_hosts"),
    "WILDSIDE_GITOPS_DEPLOY_KEY_VAULT_PATH": ("gitops", "deploy_key_vault_path"),
    "WILDSIDE_STATE_BACKEND": ("state", "backend"),
    "WILDSIDE_STATE_BUCKET": ("state", "bucket"),
    "WILDSIDE_STATE_REGION": ("state", "region"),
    "WILDSIDE_STATE_ENDPOINT": ("state", "endpoint"),
    "WILDSIDE_STATE_KEY_PREFIX": ("state", "key_prefix"),
    "WILDSIDE_FLUX_KUBE_AUTH": ("flux", "kube_auth"),
    "WILDSIDE_FLUX_CLI_DIGEST": ("flux", "cli_digest"),
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
    "WILDSIDE_STATE_ALLOW_UNENCRYPTED": ("state", "allow_unencrypted"),
    **{spec.env: ("components", spec.key) for spec in COMPONENTS},
}
NUMBER_ENV: dict[str, tuple[str, str]] = {
    "WILDSIDE_GITOPS_PUSH_BUDGET": ("gitops", "push_budget_seconds"),
}
NODE_POOLS_ENV = "WILDSIDE_NODE_POOLS"
# Operators' age public keys (whitespace- or comma-separated) for [vault_appliance.bootstrap].
RECIPIENTS_ENV = "WILDSIDE_VAULT_RECIPIENTS"
# Read elsewhere (deploy, the action, the schema checks), not by the configuration.
OTHER_ENV = (
    CONFIG_ENV,
    NODE_POOLS_ENV,
    "WILDSIDE_PUBLISH",
    "WILDSIDE_SCHEMA_DIR",
    "WILDSIDE_VAULT_KV_MOUNT",
    "WILDSIDE_VAULT_APPROLE_MOUNT",
    "WILDSIDE_ACTION_PLAN",
    "WILDSIDE_ACTION_GITOPS_CHANGES",
    "WILDSIDE_RETRY_BUDGET",
    "WILDSIDE_UPDATE_SNAPSHOTS",
    "WILDSIDE_NOW",
    "WILDSIDE_SYNTH_CACHE",
    RECIPIENTS_ENV,
)
# A config file larger than this is a mistake (a wrong path), not a configuration.
MAX_CONFIG_BYTES = 1_000_000

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def config_path(environ: Mapping[str, str]) -> Path:
    named = environ.get(CONFIG_ENV, "").strip()
    return Path(named) if named else EXAMPLE_CONFIG


def _file_problem(path: Path) -> str | None:
    """Why ``path`` cannot be read as a configuration file, checked without opening it."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return f"file {path} does not exist; point it at a TOML file"
    except OSError as exc:
        # ELOOP (a symbolic link loop), EACCES on a parent, ENAMETOOLONG, ...
        return f"{path} cannot be read ({exc.strerror}); point it at a TOML file"
    if stat.S_ISDIR(info.st_mode):
        return f"{path} is a folder; point it at a TOML file inside it"
    if not stat.S_ISREG(info.st_mode):
        # A FIFO or device would block or never end; refuse it before opening.
        return f"{path} is not a regular file (a pipe or device); point it at a TOML file"
    if info.st_size > MAX_CONFIG_BYTES:
        return f"{path} is {info.st_size} bytes; a configuration is under {MAX_CONFIG_BYTES}"
    return None


def _read(path: Path) -> dict[str, Any]:
    problem = _file_problem(path)
    if problem is not None:
        raise ConfigError([Problem(CONFIG_ENV, problem)])
    try:
        data = path.read_bytes()
    except OSError as exc:
        message = f"{path} cannot be read ({exc.strerror}); check its permissions"
        raise ConfigError([Problem(CONFIG_ENV, message)]) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        message = f"is not UTF-8 text (byte {exc.start}); save it as UTF-8 TOML"
        raise ConfigError([Problem(CONFIG_ENV, f"{path} {message}")]) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([Problem(str(path), f"is not valid TOML: {exc}")]) from None


def known_variables() -> tuple[str, ...]:
    return (*STRING_ENV, *BOOLEAN_ENV, *NUMBER_ENV, *OTHER_ENV)


def unknown_variables(environ: Mapping[str, str]) -> list[Problem]:
    """A misspelt ``WILDSIDE_*`` variable would be silently ignored: refuse it."""
    known = known_variables()
    found: list[Problem] = []
    for name in sorted(environ):
        if not name.startswith("WILDSIDE_") or name in known:
            continue
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
        hint = f"did you mean {close[0]}?" if close else "see README.md for the variables"
        found.append(Problem(name, f"is not a wildside variable; {hint} (or unset it)"))
    return found


def _numbers(raw: dict[str, Any], environ: Mapping[str, str]) -> list[Problem]:
    problems: list[Problem] = []
    for name, (table, key) in NUMBER_ENV.items():
        if name not in environ:
            continue
        try:
            number = float(environ[name].strip())
        except ValueError:
            problems.append(Problem(name, f"expected a number of seconds, got {environ[name]!r}"))
        else:
            raw.setdefault(table, {})[key] = number
    return problems


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
    problems += _numbers(raw, environ)
    if NODE_POOLS_ENV in environ:
        try:
            pools = json.loads(environ[NODE_POOLS_ENV])
        except json.JSONDecodeError as exc:
            problems.append(Problem(NODE_POOLS_ENV, f"is not valid JSON: {exc}"))
        else:
            raw["node_pools"] = pools
    if RECIPIENTS_ENV in environ and isinstance(raw.get("vault_appliance"), dict):
        keys = environ[RECIPIENTS_ENV].replace(",", " ").split()
        raw["vault_appliance"].setdefault("bootstrap", {})["recipients"] = keys
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
    problems = unknown_variables(env) + apply_environment(raw, env)
    raw = apply_preset(raw, problems)
    settings: dict[str, Any] = {}
    for key, spec in BY_KEY.items():
        settings[key] = from_mapping(spec.settings, raw.pop(key, {}), key, problems)
    known = {"cluster", "node_pools", "gitops", "state", "flux", "components", "vault_appliance"}
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
        vault_appliance=from_mapping(
            VaultApplianceSettings, raw["vault_appliance"], "vault_appliance", problems
        )
        if "vault_appliance" in raw
        else None,
        source=source,
    )
    # Semantic checks run even after type errors so every problem shows at once,
    # but a field already reported is not reported twice.
    reported = {problem.field for problem in problems}
    problems.extend(p for p in validate(config) if p.field not in reported)
    folder = Path(config.gitops.dir) if config.gitops.dir else PROJECT_ROOT / ".gitops"
    problems.extend(p for p in gitops_dir_problems(folder) if p.field not in reported)
    if not problems:
        # Only a configuration that is otherwise sound is worth sizing.
        problems.extend(capacity_problems(config))
    if problems:
        raise ConfigError(problems, source=source)
    return config
