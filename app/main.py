"""The CDKTF app: build the stacks, synthesise, then run the post-synth hook."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from app import synth_cache
from app.config.model import WildsideConfig
from app.log import say, step
from app.runtime import prepare_node
from app.stack_settings import (
    cluster_context,
    cluster_stack_settings,
    platform_settings,
    stack_state,
)

if TYPE_CHECKING:
    from stacks.platform_stack import PlatformStack

CLUSTER_STACK = "cluster-stack"  # holds the Flux bootstrap too (docs/flux-bootstrap.md)
PLATFORM_STACK = "platform-stack"
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
