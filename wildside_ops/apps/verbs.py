"""The body of each `wildside app` verb: check, publish, then report to GitHub."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from app.config.model import WildsideConfig
from app.log import say
from wildside_constructs.settings.apps import AppsSettings
from wildside_ops.apps import operations
from wildside_ops.apps.cli import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_OK,
    bad_input,
    print_previews,
    write_result,
)
from wildside_ops.apps.context import AppContext
from wildside_ops.apps.github_feedback import FeedbackError
from wildside_ops.apps.inputs import image_problems, parse_images, pr_problems
from wildside_ops.apps.operations import PreviewLimitError, list_previews, stale
from wildside_ops.gitops import PublishError

__all__ = ["deploy", "gc", "listing", "teardown"]


def _apps(config: WildsideConfig) -> AppsSettings:
    settings: AppsSettings = config.settings["apps"]
    return settings


def _log(line: str) -> None:
    say(line)


def _gate(feedback: Any, number: int, config: WildsideConfig) -> int | None:
    """Refuse forks, skip drafts, closed and unlabelled pull requests; ``None`` = go."""
    try:
        info = feedback.pull_request(number)
    except FeedbackError as error:
        # The workflow already filtered on the event; deploy, then report this.
        say(f"{error}; deploying without the pull-request checks")
        return None
    if info.fork:
        say(
            f"pull request #{number} comes from a fork: previews run with this repository's "
            "secrets, so forks never get one"
        )
        return EXIT_FAILED
    label = _apps(config).opt_in_label
    reason = (
        "is closed"
        if not info.open
        else "is a draft"
        if info.draft
        else f"is not labelled {label!r}"
        if label not in info.labels
        else ""
    )
    if reason:
        say(f"pull request #{number} {reason}: no preview (nothing written)")
        return EXIT_OK
    return None


def deploy(config: WildsideConfig, args: argparse.Namespace, feedback: Any, now: datetime) -> int:
    problems = pr_problems(args.pr, args.sha) + image_problems(args.image, _apps(config).images)
    if problems:
        return bad_input(problems)
    number = int(args.pr)
    if feedback is not None and (gated := _gate(feedback, number, config)) is not None:
        return gated
    return _deploy(config, args, feedback, now)


def _deploy(config: WildsideConfig, args: argparse.Namespace, feedback: Any, now: datetime) -> int:
    number, ctx = int(args.pr), AppContext.from_config(config)
    try:
        done = operations.deploy(ctx, number, args.sha, parse_images(args.image), now=now, log=_log)
    except PreviewLimitError as error:
        say(f"preview limit reached: {error}")
        return EXIT_FAILED
    except PublishError as error:
        say(f"publishing the preview failed: {error}")
        return EXIT_FAILED
    sha = done.result.commit_sha
    say(f"committed {sha}" if sha else "no change: this commit is already deployed")
    print(done.preview.url)
    write_result(
        args.result_json,
        {"preview_url": done.preview.url, "commit_sha": sha, "pr": number, "sha": args.sha},
    )
    if feedback is None:
        say("GITHUB_TOKEN is not set: no pull-request comment or deployment")
        return EXIT_OK
    try:
        feedback.report_deploy(number, args.sha, done.preview.url, now, {})
    except FeedbackError as error:
        say(f"the preview is published, but telling the pull request failed: {error}")
        return EXIT_FAILED
    return EXIT_OK


def teardown(config: WildsideConfig, args: argparse.Namespace, feedback: Any, now: datetime) -> int:
    problems = pr_problems(args.pr, None)
    if problems:
        return bad_input(problems)
    number = int(args.pr)
    try:
        result = operations.teardown(AppContext.from_config(config), number, _log)
    except PublishError as error:
        say(f"tearing down pr-{number} failed: {error}")
        return EXIT_FAILED
    if result.commit_sha:
        say(f"removed pr-{number}: committed {result.commit_sha}")
    else:
        say(f"pr-{number} has no preview: nothing to do")
    write_result(args.result_json, {"commit_sha": result.commit_sha, "pr": number})
    if feedback is None:
        return EXIT_OK
    try:
        feedback.report_teardown(number, now)
    except FeedbackError as error:
        say(f"the preview is removed, but telling the pull request failed: {error}")
        return EXIT_FAILED
    return EXIT_OK


def gc(config: WildsideConfig, feedback: Any, now: datetime) -> int:
    ctx = AppContext.from_config(config)
    try:
        previews = list_previews(ctx, _log)
    except PublishError as error:
        say(f"reading the apps repository failed: {error}")
        return EXIT_FAILED
    if not previews:
        say("no previews: nothing to collect")
        return EXIT_OK
    if feedback is None:
        say("GITHUB_TOKEN is not set: gc needs GitHub to know closed and kept pull requests")
        return EXIT_BAD_INPUT
    try:
        infos = feedback.pull_requests(p.number for p in previews)
    except FeedbackError as error:
        say(f"{error}; nothing removed")
        return EXIT_FAILED
    closed = {n for n, info in infos.items() if not info.open}
    keep = _apps(config).keep_label
    expired = {
        p.number
        for p in previews
        if p.number not in closed
        and keep not in infos[p.number].labels
        and stale(p, _apps(config).preview_ttl, now)
    }
    if not closed and not expired:
        say(f"{len(previews)} previews, all open and fresh: nothing to collect")
        return EXIT_OK
    return _sweep(config, ctx, feedback, now, (closed, expired))


def _sweep(
    config: WildsideConfig,
    ctx: AppContext,
    feedback: Any,
    now: datetime,
    found: tuple[set[int], set[int]],
) -> int:
    closed, expired = found
    try:
        result = operations.gc(ctx, closed, expired, now, _log)
    except PublishError as error:
        say(f"removing previews failed: {error}")
        return EXIT_FAILED
    for number in sorted(closed):
        say(f"removed pr-{number}: the pull request is closed")
    for number in sorted(expired):
        say(f"removed pr-{number}: not updated for {_apps(config).preview_ttl}")
    say(f"committed {result.commit_sha}" if result.commit_sha else "no change")
    failed = False
    for number in sorted(closed | expired):
        try:
            feedback.report_teardown(number, now)
        except FeedbackError as error:
            say(f"pr-{number} is removed, but telling the pull request failed: {error}")
            failed = True
    return EXIT_FAILED if failed else EXIT_OK


def listing(config: WildsideConfig, args: argparse.Namespace, now: datetime) -> int:
    try:
        previews = list_previews(AppContext.from_config(config), _log)
    except PublishError as error:
        say(f"reading the apps repository failed: {error}")
        return EXIT_FAILED
    print_previews(previews, now, args.json)
    return EXIT_OK
