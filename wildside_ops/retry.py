"""Which engine failures are worth retrying, and how long to wait between tries.

DigitalOcean's API answers 429 when a token exceeds its rate limit and,
rarely, 5xx or a dropped connection; Spaces answers ``SlowDown``. The engine
prints these in its error text (godo writes ``POST https://api...: 429 (request
"...") API Rate limit exceeded``). Such failures pass on their own, so the run
waits and tries again, with jittered exponential back-off, within a time
budget. Anything else (a bad argument, a quota, a conflict) is permanent: a
retry would fail the same way, so it is reported at once. See docs/cluster.md
for the quotas a cluster consumes.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

BUDGET_ENV = "WILDSIDE_RETRY_BUDGET"
Kind = Literal["rate limit", "transient"]

RATE_LIMIT = re.compile(
    r"https?://\S+: 429\b|\b429 Too Many Requests|rate limit(ed)? exceeded|\bSlowDown\b",
    re.IGNORECASE,
)
TRANSIENT = re.compile(
    r"https?://\S+: 5\d\d\b"
    r"|\b50[0234] (Internal Server Error|Bad Gateway|Service Unavailable|Gateway Timeout)"
    r"|connection reset by peer|i/o timeout|TLS handshake timeout"
    r"|context deadline exceeded|unexpected EOF|\bRequestTimeout\b",
    re.IGNORECASE,
)


def classify(error_text: str) -> tuple[Kind, str] | None:
    """``(kind, the line that says so)`` for a retryable failure, else None."""
    for line in error_text.splitlines():
        if RATE_LIMIT.search(line):
            return "rate limit", line.strip(" │")
    for line in error_text.splitlines():
        if TRANSIENT.search(line):
            return "transient", line.strip(" │")
    return None


@dataclass
class RetryPolicy:
    """Back-off settings; ``budget`` bounds the whole run's waiting and retrying."""

    budget: float = 900.0
    attempts: int = 6
    # Rate limits reset per minute, so they start from a longer wait.
    base: Mapping[str, float] = field(
        default_factory=lambda: {"rate limit": 15.0, "transient": 5.0}
    )
    cap: float = 120.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    rng: random.Random = field(default_factory=random.Random)
    _deadline: float | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> RetryPolicy:
        """``WILDSIDE_RETRY_BUDGET`` seconds (0 turns retries off); default 15 minutes."""
        raw = environ.get(BUDGET_ENV, "").strip()
        if not raw:
            return cls()
        try:
            budget = float(raw)
        except ValueError:
            budget = -1.0
        if budget < 0:
            raise ValueError(f"{BUDGET_ENV}={raw!r} is not a number of seconds (0 or more)")
        return cls(budget=budget)

    def wait(self, kind: Kind, retry: int) -> float | None:
        """Seconds to wait before retry number ``retry`` (1-based), or None to give up."""
        now = self.clock()
        if self._deadline is None:
            self._deadline = now + self.budget
        if retry > self.attempts:
            return None
        ceiling = min(self.cap, self.base[kind] * 2.0 ** (retry - 1))
        # Equal jitter: never less than half the ceiling, so a burst of runs
        # spreads out without any of them retrying at once.
        delay = ceiling / 2 + self.rng.uniform(0, ceiling / 2)
        if now + delay > self._deadline:
            return None
        return delay
