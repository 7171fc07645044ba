"""The CDKTF app: build the stacks, synthesise, then run the post-synth hook."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from app import synth_cache
from app.config.load import load_config
from app.config.model import WildsideConfig
from app.log import say, step
from app.runtime import prepare_node
from app.stack_settings import (
    cluster_context,
    cluster_stack_settings,
    platform_settings,
    stack_state,
    vault_stack_settings,
)

if TYPE_CHECKING:
    from stacks.platform_stack import PlatformStack

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2

CLUSTER_STACK = "cluster-stack"  # holds the Flux bootstrap too (docs/flux-bootstrap.md)
PLATFORM_STACK = "platform-stack"
# Synthesised with cluster-stack, and only when [vault_appliance] is configured.
VAULT_STACK = "vault-stack"
ALL_STACKS = (CLUSTER_STACK, PLATFORM_STACK)


@dataclass(frozen=True)
class SynthOptions:
    stacks: tuple[str, ...] = ALL_STACKS
    outdir: Path | None = None
    publish: bool = True
    dry_run: bool = False
    show_diff: bool = False
    allow_shared_change: bool = False
    # app/synth_cache.py: "off"; "reuse" an unchanged synth (and record each new
    # one); "refresh" always synthesises but records it for the next run.
    cache: str = "off"


@dataclass(frozen=True)
class SynthArgs:
    """What ``wildside synth``/``render`` were asked on the command line."""

    outdir: Path | None = None
    no_publish: bool = False
    dry_run: bool = False
    diff: bool = False
    result_json: Path | None = None
    allow_shared_change: bool = False
    allow_overwrite: bool = False
    no_cache: bool = False


@dataclass
class SynthResult:
    outdir: Path
    stacks: tuple[str, ...]
    rendered: dict[str, str] = field(default_factory=dict)
    enabled: tuple[str, ...] = ()
    commit_sha: str = ""
    published: bool = False
    reused: bool = False


def default_outdir() -> Path:
    # The cdktf CLI tells the app where to write through CDKTF_OUTDIR.
    return Path(os.environ.get("CDKTF_OUTDIR", "cdktf.out"))


def synthesise(
    config: WildsideConfig, options: SynthOptions
) -> tuple[SynthResult, PlatformStack | None]:
    """Build and synthesise the selected stacks; raise before writing on bad input.

    With ``options.cache == "reuse"``, an unchanged synth is reused without loading
    cdktf (the platform stack object is then ``None``).
    """
    outdir = options.outdir or default_outdir()
    key = ""
    if options.cache in ("reuse", "refresh"):
        key = _cache_key(config, options.stacks, outdir)
        cached = synth_cache.lookup(key, outdir) if options.cache == "reuse" else None
        if cached is not None:
            say(f"nothing that feeds {', '.join(options.stacks)} changed: reusing {outdir}")
            reused = SynthResult(outdir=outdir, stacks=options.stacks, reused=True)
            reused.rendered, reused.enabled = cached.rendered, cached.enabled
            return reused, None
        synth_cache.forget(outdir)
    result, platform = _build_and_synth(config, options, outdir)
    if key:
        synth_cache.remember(key, outdir, synth_cache.CachedSynth(result.rendered, result.enabled))
    return result, platform


def _cache_key(config: WildsideConfig, stacks: tuple[str, ...], outdir: Path) -> str:
    from wildside_constructs.validation.schemas import schema_dir

    return synth_cache.synth_key(config, stacks, outdir, os.environ, schemas=schema_dir())


def _build_and_synth(
    config: WildsideConfig, options: SynthOptions, outdir: Path
) -> tuple[SynthResult, PlatformStack | None]:
    prepare_node()
    with step("loading CDKTF"):
        from cdktf import App

        from stacks.platform_stack import PlatformStack, PlatformStackSettings
        from wildside_constructs.validation.schemas import SchemaStore, schema_dir

    app = App(outdir=str(outdir))
    platform: PlatformStack | None = None
    checks: list[Callable[[], None]] = []
    if PLATFORM_STACK in options.stacks:
        with step(f"rendering {PLATFORM_STACK} for cluster {config.cluster.name}"):
            found = schema_dir()
            if found is None:
                say("no upstream schema folder found (WILDSIDE_SCHEMA_DIR); schema checks skipped")
            settings = PlatformStackSettings(
                context=cluster_context(config),
                components=platform_settings(config),
                schemas=SchemaStore(found) if found else None,
                state=stack_state(config, os.environ),
            )
            platform = PlatformStack(app, PLATFORM_STACK, settings=settings)
    if CLUSTER_STACK in options.stacks:
        # The provider bindings cost seconds to load: only when this stack is wanted.
        with step(f"building {CLUSTER_STACK} (loading provider bindings)"):
            from stacks.cluster_stack import ClusterStack

            stack_settings = cluster_stack_settings(config, os.environ)
            checks.append(ClusterStack(app, CLUSTER_STACK, settings=stack_settings).preflight)
    vault_settings = vault_stack_settings(config, os.environ)
    if vault_settings is None and VAULT_STACK in options.stacks:
        from app.config.errors import ConfigError, Problem

        fix = "add a [vault_appliance] table (docs/vault-appliance.md) to synthesise vault-stack"
        raise ConfigError([Problem("vault_appliance", f"is not configured; {fix}")])
    if vault_settings is not None and (
        CLUSTER_STACK in options.stacks or VAULT_STACK in options.stacks
    ):
        with step(f"building {VAULT_STACK} for appliance {vault_settings.appliance.name}"):
            from stacks.vault_stack import VaultStack

            checks.append(VaultStack(app, VAULT_STACK, settings=vault_settings).preflight)
    with step(f"synthesising {', '.join(options.stacks)} into {outdir}"):
        # Checks that cdktf would run mid-synth run first, so a failure writes nothing.
        for check in checks:
            check()
        app.synth()
    result = SynthResult(outdir=outdir, stacks=options.stacks)
    if platform is not None:
        result.rendered = dict(platform.rendered)
        result.enabled = platform.enabled
    return result, platform


def _warn(config: WildsideConfig) -> None:
    """Settings that are allowed but probably not meant (e.g. an even quorum)."""
    for key in config.components.enabled():
        settings = config.settings.get(key)
        for warning in getattr(settings, "warnings", lambda _where: [])(key):
            say(f"warning: {warning}")


def run_synth(args: SynthArgs, stacks: tuple[str, ...]) -> int:
    """``wildside synth`` and ``wildside render``: synthesise, then publish and report."""
    from wildside_constructs.validation.errors import RenderError

    config = load_config()
    say(f"configuration: {config.source} (cluster {config.cluster.name})")
    _warn(config)
    publish = not args.no_publish and os.environ.get("WILDSIDE_PUBLISH", "true") != "false"
    options = SynthOptions(
        stacks=stacks,
        outdir=args.outdir,
        publish=publish,
        cache="refresh" if args.no_cache else "reuse",
    )
    try:
        result, _platform = synthesise(config, options)
    except RenderError as exc:
        say(str(exc))
        return EXIT_BAD_INPUT
    if not publish or not result.rendered:
        return EXIT_OK
    from app.post_synth import publish_tree
    from wildside_ops.gitops import PublishError

    try:
        published = publish_tree(
            config,
            result.rendered,
            result.enabled,
            dry_run=args.dry_run,
            show_diff=args.diff,
            allow_shared_change=args.allow_shared_change,
            allow_overwrite=args.allow_overwrite,
        )
    except PublishError as exc:
        say(f"publish failed: {exc}")
        return EXIT_FAILED
    for label, paths in (
        ("added", published.added),
        ("changed", published.changed),
        ("removed", published.removed),
    ):
        for path in paths:
            print(f"{label:8} {path}")
    if published.diff:
        print(published.diff, end="")
    if args.result_json:
        outcome = {
            "commit_sha": published.commit_sha,
            "manifest_count": len(result.rendered),
            "files": published.manifest_count,
            "added": list(published.added),
            "changed": list(published.changed),
            "removed": list(published.removed),
            "pushed": published.pushed,
            "dry_run": args.dry_run,
        }
        args.result_json.write_text(json.dumps(outcome, indent=2, sort_keys=True) + "\n")
    # Manifests are what the platform stack rendered; the files published add modules/.
    counts = f"{len(result.rendered)} manifests, {published.manifest_count} files"
    if args.dry_run:
        say("dry run: nothing committed or pushed")
    elif published.commit_sha:
        say(f"committed {published.commit_sha} ({counts})")
    else:
        say(f"no change: nothing committed ({counts})")
    return EXIT_OK
