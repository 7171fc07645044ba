"""``wildside plan`` and ``wildside deploy``: synthesise cluster-stack, then run the engine.

``app.cli`` parses the arguments and hands over. ``plan`` reuses exit code 2
for "changes pending", so its bad input is reported as an error (1); ``deploy``
exits 2 on bad input, like the other commands.
"""

from __future__ import annotations

import os
from pathlib import Path

from app.config.errors import ConfigError
from app.config.model import WildsideConfig
from app.log import say

EXIT_NO_CHANGES = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2
EXIT_BAD_INPUT = 2


def run(
    *,
    outdir: Path | None,
    skip_synth: bool,
    lock_timeout: str,
    apply: bool,
    stack: str = "cluster-stack",
    require_versioning: bool = False,
) -> int:
    """``wildside plan`` (``apply=False``) or ``wildside deploy`` (``apply=True``) of ``stack``."""
    return _plan_or_deploy(
        outdir, skip_synth, lock_timeout, apply=apply, stack=stack, require=require_versioning
    )


def _synthesise(outdir: Path | None, stack: str) -> tuple[Path, WildsideConfig]:
    from app.config.load import load_config
    from app.synth import SynthOptions, default_outdir, synthesise

    config = load_config()
    say(f"configuration: {config.source} (cluster {config.cluster.name})")
    options = SynthOptions(stacks=(stack,), outdir=outdir, publish=False)
    result, _platform = synthesise(config, options)
    return result.outdir or default_outdir(), config


def _flux_key(stack_dir: Path, config: WildsideConfig | None) -> dict[str, str]:
    """Flux's deploy key from Vault, when the stack asks for it (gitops.auth = "ssh").

    The stack decides, not the configuration: with --skip-synth the configuration
    may have changed since. It is loaded only to find the key's Vault path.
    """
    from app.config.load import load_config
    from wildside_ops.flux_key import SSH_KEY_ENV, engine_variables, key_path, stack_needs_key

    if not stack_needs_key(stack_dir) or os.environ.get(SSH_KEY_ENV):
        return {}
    variables = engine_variables(key_path(config or load_config()), os.environ)
    if variables:
        say("Flux deploy key: read from Vault (passed to the engine as a sensitive variable)")
    return variables


def _check_bucket(stack_dir: Path, require: bool) -> None:
    """Say whether the state bucket keeps versions; in CI mode, refuse if not."""
    from wildside_ops.state_bucket import check_versioning

    finding = check_versioning(stack_dir, os.environ, require=require)
    if finding is not None and finding.versioned:
        say(f"state bucket {finding.bucket!r}: {finding.detail}")
    elif finding is not None:
        say(f"warning: {finding.detail}")


def _plan_or_deploy(
    outdir_arg: Path | None,
    skip_synth: bool,
    lock_timeout: str,
    *,
    apply: bool,
    stack: str,
    require: bool,
) -> int:
    from app.synth import default_outdir
    from wildside_constructs.validation.errors import RenderError
    from wildside_ops.engine import EngineError, PlanOutcome, describe, plan_stack, stack_folder
    from wildside_ops.flux_key import DeployKeyError
    from wildside_ops.state_bucket import StateBucketError
    from wildside_ops.vault.errors import VaultError

    try:
        outdir = outdir_arg or default_outdir()
        config: WildsideConfig | None = None
        if not skip_synth:
            outdir, config = _synthesise(outdir_arg, stack)
        stack_dir = stack_folder(outdir, stack)
        if apply and (stack_dir / "cdk.tf.json").is_file():
            _check_bucket(stack_dir, require)
        # The key joins only the engine's environment, never os.environ or a file.
        environ = {**os.environ, **_flux_key(stack_dir, config)}
        outcome = plan_stack(
            stack_dir,
            environ,
            apply=apply,
            lock_timeout=lock_timeout,
        )
    except (ConfigError, RenderError, DeployKeyError) as error:
        say(f"error: {error}")
        # Bad input: 2 for deploy, as every other command; plan's 2 means changes.
        return EXIT_BAD_INPUT if apply else EXIT_ERROR
    except (EngineError, StateBucketError) as error:
        say(f"error: {error}")
        return EXIT_ERROR
    except VaultError as error:
        say(f"error: Vault: {error}")
        return EXIT_ERROR
    if not apply:
        say(describe(outcome))
        return EXIT_CHANGES if outcome is PlanOutcome.CHANGES else EXIT_NO_CHANGES
    if outcome is PlanOutcome.CHANGES:
        say("applied: the plan's changes are in place")
    else:
        say("no changes: nothing applied")
    return EXIT_NO_CHANGES
