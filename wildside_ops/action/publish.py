"""``wildside action publish``: render platform-stack and publish it (preview in a dry run).

The push credential, if any, is already in git's environment-only
configuration (``GIT_CONFIG_*``, from ``prepare``), so the publisher's git
commands authenticate without the token appearing in a URL or an argument.
"""

from __future__ import annotations

from app.config.errors import ConfigError
from app.config.load import load_config
from app.log import say
from app.post_synth import publish_tree
from app.synth import PLATFORM_STACK, SynthOptions, synthesise
from wildside_constructs.validation.errors import RenderError
from wildside_ops.action import run_file
from wildside_ops.action.run_file import CHANGES_ENV, RunRecord
from wildside_ops.action.runner import ActionError, export, require_runner
from wildside_ops.gitops import PublishError, PublishResult

EXIT_OK = 0


def _show(result: PublishResult, dry_run: bool) -> None:
    verb = "would be " if dry_run else ""
    for label, paths in (
        ("added", result.added),
        ("changed", result.changed),
        ("removed", result.removed),
    ):
        for path in paths:
            print(f"{verb}{label:8} {path}", flush=True)
    if result.diff:
        print(result.diff, end="" if result.diff.endswith("\n") else "\n", flush=True)


def publish(run: RunRecord) -> None:
    config = load_config()
    outdir = run_file.work_dir() / "platform.out"
    result, _platform = synthesise(
        config, SynthOptions(stacks=(PLATFORM_STACK,), outdir=outdir, publish=True)
    )
    published = publish_tree(
        config,
        result.rendered,
        result.enabled,
        dry_run=run.dry_run,
        show_diff=run.dry_run,
        allow_shared_change=run.allow_shared_change,
    )
    _show(published, run.dry_run)
    counts = (
        f"{len(published.added)} added, {len(published.changed)} changed, "
        f"{len(published.removed)} removed"
    )
    if run.dry_run:
        say(f"dry run: nothing committed or pushed ({counts} in the preview above)")
    elif published.commit_sha:
        say(f"committed and pushed {published.commit_sha} ({counts})")
    else:
        say("no change: the GitOps repository already holds this tree; nothing committed")
    # A dry run reports no SHA even though the preview computed a tree.
    export("GITOPS_COMMIT_SHA", "" if run.dry_run else published.commit_sha, secret=False)
    export("RENDERED_MANIFEST_COUNT", str(len(result.rendered)), secret=False)
    export(CHANGES_ENV, counts, secret=False)


def run() -> int:
    require_runner()
    record = run_file.load()
    run_file.apply(record)
    try:
        publish(record)
    except (ConfigError, RenderError) as error:
        raise ActionError(str(error), code=2) from error
    except PublishError as error:
        raise ActionError(f"publishing failed: {error}") from error
    return EXIT_OK
