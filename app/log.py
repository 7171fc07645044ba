"""Progress reporting: plain lines on a terminal, collapsible groups in CI."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


def in_github_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def say(message: str, stream: TextIO | None = None) -> None:
    print(f"[wildside] {message}", file=stream or sys.stderr, flush=True)


@contextmanager
def step(title: str) -> Iterator[None]:
    """Announce a step, time it, and fold its output into a group in CI."""
    out = sys.stderr
    grouped = in_github_actions()
    if grouped:
        # Group markers must reach the runner's stdout to be honoured.
        print(f"::group::{title}", flush=True)
    say(f"{title} ...", out)
    started = time.perf_counter()
    try:
        yield
    finally:
        say(f"{title}: done in {time.perf_counter() - started:.1f}s", out)
        if grouped:
            print("::endgroup::", flush=True)
