"""Engine runs retry DigitalOcean rate limits and transient errors, and nothing else.

A fake ``tofu`` on PATH fails a chosen command a chosen number of times with
the error text the real engine prints, then succeeds. Waiting is recorded
instead of slept, with a clock that advances by what was waited.
"""

from __future__ import annotations

import json
import os
import random
import stat
from pathlib import Path

import pytest

from wildside_ops.engine import EngineError, PlanOutcome, plan_stack
from wildside_ops.retry import RetryPolicy, classify

FAKE = """\
#!/bin/sh
echo "$*" >> "$FAKE_LOG"
command="$2"
count_file="$FAKE_DIR/$command.count"
n=$(cat "$count_file" 2>/dev/null || echo 0)
n=$((n + 1))
echo "$n" > "$count_file"
if [ "$command" = "$FAIL_COMMAND" ] && [ "$n" -le "$FAIL_TIMES" ]; then
  printf '%s\\n' "$FAIL_MESSAGE" >&2
  exit 1
fi
if [ "$command" = plan ]; then
  for arg in "$@"; do
    case "$arg" in -out=*) : > "${1#-chdir=}/${arg#-out=}" ;; esac
  done
  exit 2
fi
exit 0
"""
RATE_LIMITED = (
    "Error: Error creating Kubernetes cluster: POST "
    'https://api.digitalocean.com/v2/kubernetes/clusters: 429 (request "4f1c") '
    "API Rate limit exceeded."
)
API = "https://api.digitalocean.com/v2/kubernetes/clusters"
RESET = f"Error: Get {API}/x: read tcp 10.0.0.2:443: connection reset by peer"
QUOTA = f'Error: creating cluster: POST {API}: 422 (request "9a") droplet limit exceeded'


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.waits: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


@pytest.fixture
def stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    engine = bin_dir / "tofu"
    engine.write_text(FAKE)
    engine.chmod(engine.stat().st_mode | stat.S_IXUSR)
    folder = tmp_path / "stacks" / "cluster-stack"
    folder.mkdir(parents=True)
    (folder / "cdk.tf.json").write_text(json.dumps({"terraform": {}}))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin")
    monkeypatch.setenv("FAKE_LOG", str(tmp_path / "argv.log"))
    monkeypatch.setenv("FAKE_DIR", str(tmp_path))
    monkeypatch.delenv("TERRAFORM_BINARY_NAME", raising=False)
    return folder


def _fail(monkeypatch: pytest.MonkeyPatch, command: str, times: int, message: str) -> None:
    monkeypatch.setenv("FAIL_COMMAND", command)
    monkeypatch.setenv("FAIL_TIMES", str(times))
    monkeypatch.setenv("FAIL_MESSAGE", message)


def _commands(stack: Path) -> list[str]:
    log = stack.parents[1] / "argv.log"
    return [line.split()[1] for line in log.read_text().splitlines()]


def _policy(clock: Clock, budget: float = 900.0) -> RetryPolicy:
    return RetryPolicy(
        budget=budget,
        sleep=clock.sleep,
        clock=lambda: clock.now,
        rng=random.Random(7),  # noqa: S311 - jitter, not secrecy
    )


def test_a_rate_limit_twice_then_success_is_retried_with_back_off(
    stack: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _fail(monkeypatch, "plan", 2, RATE_LIMITED)
    clock = Clock()
    outcome = plan_stack(stack, dict(os.environ), apply=True, retry=_policy(clock))
    assert outcome is PlanOutcome.CHANGES
    assert _commands(stack) == ["init", "plan", "plan", "plan", "apply"]
    # Jittered and growing: retry n waits between half and all of 15 s * 2^(n-1).
    first, second = clock.waits
    assert 7.5 <= first <= 15.0 and 15.0 <= second <= 30.0
    log = capsys.readouterr().err
    assert log.count("tofu plan: rate limit (") == 2
    assert "retry 1/6 in" in log and "retry 2/6 in" in log
    assert "429" in log


def test_a_permanent_error_is_not_retried(stack: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fail(monkeypatch, "apply", 1, QUOTA)
    clock = Clock()
    with pytest.raises(EngineError, match="droplet limit exceeded"):
        plan_stack(stack, dict(os.environ), apply=True, retry=_policy(clock))
    assert _commands(stack) == ["init", "plan", "apply"]
    assert clock.waits == []


def test_a_transient_apply_failure_plans_again_then_applies(
    stack: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fail(monkeypatch, "apply", 1, RESET)
    clock = Clock()
    assert plan_stack(stack, dict(os.environ), apply=True, retry=_policy(clock)) == (
        PlanOutcome.CHANGES
    )
    # The failed apply's saved plan is stale: a new plan comes before the retry.
    assert _commands(stack) == ["init", "plan", "apply", "plan", "apply"]
    assert len(clock.waits) == 1 and 2.5 <= clock.waits[0] <= 5.0


def test_retries_stop_when_the_time_budget_is_spent(
    stack: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _fail(monkeypatch, "init", 99, RATE_LIMITED)
    clock = Clock()
    with pytest.raises(EngineError, match="init failed"):
        plan_stack(stack, dict(os.environ), retry=_policy(clock, budget=40.0))
    assert sum(clock.waits) <= 40.0
    assert 1 <= len(clock.waits) < 6
    assert "retry budget spent, giving up" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (RATE_LIMITED, "rate limit"),
        ("Error: 503 Service Unavailable", "transient"),
        ('Error: GET https://api.digitalocean.com/v2/account: 502 (request "x")', "transient"),
        ("Error: net/http: TLS handshake timeout", "transient"),
        ("Error: SlowDown: Please reduce your request rate.", "rate limit"),
        (QUOTA, None),
        ('Error: Unsupported argument: An argument named "bogus"', None),
        ("Error acquiring the state lock", None),
    ],
)
def test_errors_are_classified_from_the_engine_text(text: str, kind: str | None) -> None:
    found = classify(text)
    assert (found[0] if found else None) == kind


def test_a_bad_budget_setting_is_refused(stack: Path) -> None:
    with pytest.raises(EngineError, match="WILDSIDE_RETRY_BUDGET"):
        plan_stack(stack, {**os.environ, "WILDSIDE_RETRY_BUDGET": "soon"})
