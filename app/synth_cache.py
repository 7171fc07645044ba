"""Reuse the previous synth when nothing that feeds it has changed.

Loading the provider bindings costs seconds even when the configuration did not
change, so ``wildside synth`` first computes a key from the content of every
input of the synthesised JSON and, when the output folder still holds exactly
what the last synth with that key wrote, reuses it without importing cdktf.

The key is built from content hashes, never timestamps:

- the resolved configuration (every field, as JSON);
- the source files of the code that builds the stacks (``app/``, ``stacks/``,
  ``wildside_constructs/``) and the project files that pin the toolchain;
- the upstream schemas the renderer validates against;
- the installed versions of the binding packages and of Python;
- every environment variable the stacks or cdktf read (``WILDSIDE_*``,
  ``CDKTF_*``, ``JSII_*``, ``TERRAFORM_BINARY_NAME``);
- the stacks selected and the output folder.

A record per output folder (in ``$WILDSIDE_SYNTH_CACHE``, default
``$XDG_CACHE_HOME/wildside/synth``) holds the key, a hash of every file the
synth wrote and what the publisher needs (the rendered manifests and enabled
components). Any edit to the output folder, a missing file or an extra one
counts as a miss, so the folder is byte-for-byte what a full synth writes.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from app.config.model import WildsideConfig
from app.runtime import PROJECT_ROOT

CACHE_ENV = "WILDSIDE_SYNTH_CACHE"
SOURCE_DIRS = ("app", "stacks", "wildside_constructs")
PROJECT_FILES = ("pyproject.toml", "uv.lock", "cdktf.json", "package-lock.json")
DISTRIBUTIONS = (
    "cdktf",
    "constructs",
    "jsii",
    "cdktf-cdktf-provider-digitalocean",
    "cdktf-cdktf-provider-kubernetes",
    "PyYAML",
    "jsonschema",
)
ENV_PREFIXES = ("WILDSIDE_", "CDKTF_", "JSII_")
ENV_NAMES = ("TERRAFORM_BINARY_NAME",)
# Publishing settings do not feed the synthesised JSON.
ENV_IGNORED = ("WILDSIDE_PUBLISH",)
RECORD_VERSION = 1


@dataclass(frozen=True)
class CachedSynth:
    """What a hit gives back: the publisher's inputs, as the full synth returned them."""

    rendered: dict[str, str]
    enabled: tuple[str, ...]


def cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if named := env.get(CACHE_ENV, "").strip():
        return Path(named)
    base = env.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(base) / "wildside" / "synth"


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tree_files(root: Path) -> Iterable[Path]:
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            yield path


def _hash_tree(digest: Any, root: Path, label: str) -> None:
    for path in _tree_files(root):
        digest.update(f"{label}/{path.relative_to(root).as_posix()}\0".encode())
        digest.update(path.read_bytes())
        digest.update(b"\0")


def _versions() -> dict[str, str]:
    found = {"python": sys.version}
    for name in DISTRIBUTIONS:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "absent"
    return found


def read_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The variables that can change the synthesised JSON."""
    return {
        name: value
        for name, value in environ.items()
        if (name.startswith(ENV_PREFIXES) or name in ENV_NAMES) and name not in ENV_IGNORED
    }


def synth_key(
    config: WildsideConfig,
    stacks: tuple[str, ...],
    outdir: Path,
    environ: Mapping[str, str],
    *,
    schemas: Path | None,
    root: Path = PROJECT_ROOT,
) -> str:
    digest = hashlib.sha256()
    header = {
        "record": RECORD_VERSION,
        "config": asdict(config),
        "stacks": list(stacks),
        "outdir": str(outdir.resolve()),
        "environment": read_environment(environ),
        "versions": _versions(),
        "schemas": str(schemas) if schemas else None,
    }
    digest.update(json.dumps(header, sort_keys=True, default=str).encode())
    for name in SOURCE_DIRS:
        _hash_tree(digest, root / name, name)
    for name in PROJECT_FILES:
        path = root / name
        digest.update(f"{name}\0".encode())
        digest.update(path.read_bytes() if path.is_file() else b"absent")
    if schemas is not None:
        _hash_tree(digest, schemas, "schemas")
    return digest.hexdigest()


def _outdir_files(outdir: Path) -> dict[str, str]:
    return {path.relative_to(outdir).as_posix(): _file_digest(path) for path in _tree_files(outdir)}


def _record_path(outdir: Path, environ: Mapping[str, str] | None) -> Path:
    name = hashlib.sha256(str(outdir.resolve()).encode()).hexdigest()[:24]
    return cache_dir(environ) / f"{name}.json"


def lookup(key: str, outdir: Path, environ: Mapping[str, str] | None = None) -> CachedSynth | None:
    """The previous synth's result when its key matches and ``outdir`` is untouched."""
    record_path = _record_path(outdir, environ)
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("key") != key or not outdir.is_dir():
        return None
    if record.get("files") != _outdir_files(outdir):
        return None
    return CachedSynth(rendered=dict(record["rendered"]), enabled=tuple(record["enabled"]))


def forget(outdir: Path, environ: Mapping[str, str] | None = None) -> None:
    """Drop the record before a synth, so a failed one can never be reused."""
    _record_path(outdir, environ).unlink(missing_ok=True)


def remember(
    key: str,
    outdir: Path,
    result: CachedSynth,
    environ: Mapping[str, str] | None = None,
) -> None:
    record_path = _record_path(outdir, environ)
    record = {
        "key": key,
        "outdir": str(outdir.resolve()),
        "files": _outdir_files(outdir),
        "rendered": result.rendered,
        "enabled": list(result.enabled),
    }
    try:
        record_path.parent.mkdir(parents=True, exist_ok=True)
        partial = record_path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(record, sort_keys=True), encoding="utf-8")
        os.replace(partial, record_path)
    except OSError:
        # A cache that cannot be written only costs the next run its speed.
        return
