"""The post-synth hook: publish the platform outputs into the GitOps repository."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from app.config.model import WildsideConfig
from app.log import say, step
from app.runtime import PROJECT_ROOT
from wildside_constructs.promotion import is_promoted, previous_environment
from wildside_constructs.registry import BY_KEY
from wildside_ops.gitops import PublishRequest, PublishResult, publish
from wildside_ops.gitops.tree import flux_paths

INFRA_MODULES = PROJECT_ROOT / "infra-modules"
DEFAULT_GITOPS_DIR = PROJECT_ROOT / ".gitops"


def gitops_dir(config: WildsideConfig) -> Path:
    return Path(config.gitops.dir) if config.gitops.dir else DEFAULT_GITOPS_DIR


def module_files(root: Path = INFRA_MODULES) -> dict[str, str]:
    """``infra-modules/`` mirrored under ``modules/`` in the GitOps repository."""
    if not root.is_dir():
        return {}
    return {
        f"modules/{path.relative_to(root).as_posix()}": path.read_text(encoding="utf-8")
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".terraform" not in path.parts
    }


def source_commit() -> str | None:
    """The commit of this program's own repository, for the GitOps commit message."""
    if sha := os.environ.get("GITHUB_SHA"):
        return sha
    try:
        found = subprocess.run(
            ["git", "-C", str(PROJECT_ROOT), "rev-parse", "HEAD"],
            stdin=subprocess.DEVNULL,
            check=True,
            capture_output=True,
            text=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return found.stdout.strip() or None


def publish_tree(
    config: WildsideConfig,
    rendered: dict[str, str],
    enabled: tuple[str, ...],
    *,
    dry_run: bool = False,
    show_diff: bool = False,
    allow_shared_change: bool = False,
    allow_overwrite: bool = False,
) -> PublishResult:
    files = {**rendered, **module_files()}
    request = PublishRequest(
        cluster=config.cluster.name,
        files=files,
        # The publisher names components by their GitOps folder.
        components=tuple(BY_KEY[key].folder for key in enabled if key in BY_KEY),
        workdir=gitops_dir(config),
        remote=config.gitops.remote or None,
        branch=config.gitops.branch,
        dry_run=dry_run,
        show_diff=show_diff,
        source_commit=source_commit(),
        author_name=config.gitops.author_name,
        author_email=config.gitops.author_email,
        allow_shared_change=allow_shared_change,
        allow_overwrite=allow_overwrite,
        push_budget_seconds=config.gitops.push_budget_seconds,
    )
    title = "previewing" if dry_run else "publishing"
    with step(f"{title} {len(files)} files to {request.workdir} ({request.branch})"):
        result = publish(request, log=say)
    if not dry_run:
        report_awaiting(config, rendered, request.workdir)
    return result


def awaiting_promotion(rendered: dict[str, str], checkout: Path) -> list[str]:
    """Units whose environment's copy of their folder no promotion has written yet."""
    waiting: list[str] = []
    for path, text in sorted(rendered.items()):
        if not path.startswith("clusters/"):
            continue
        for folder in flux_paths(text.encode("utf-8")):
            if is_promoted(folder) and not (checkout / folder).is_dir():
                waiting.append(path.rsplit("/", 1)[-1].removesuffix(".yaml"))
    return waiting


def report_awaiting(config: WildsideConfig, rendered: dict[str, str], checkout: Path) -> None:
    # Not an error: Flux keeps what it applied and retries until the folder appears.
    waiting = awaiting_promotion(rendered, Path(checkout))
    if not waiting:
        return
    environment = config.cluster.environment
    previous = previous_environment(environment)
    shown = ", ".join(waiting[:8]) + (", ..." if len(waiting) > 8 else "")
    say(
        f"{len(waiting)} unit(s) of {environment} cluster {config.cluster.name} await "
        f"promotion ({shown}): Flux reports their path missing until "
        f"`wildside promote --from {previous} --to {environment}` copies it "
        "(docs/promotion.md)"
    )
