"""Promotions racing on one remote: one lands, the other re-plans or refuses; nothing lost.

The interleaving is forced by the remote itself: a pre-receive hook holds the
first push until the test says go, and meanwhile the racer runs to the end. The
held push then fails to update the moved branch, as a real lost race does.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from wildside_ops.promotion.rules import PromotionError

if TYPE_CHECKING:
    from tests.gitops.conftest import Git

STAGING = "environments/staging/platform"


@contextmanager
def first_push_held(git: Git, remote: Path, tmp_path: Path) -> Iterator[Callable[[], None]]:
    """Hold the first push in the remote's pre-receive hook; yield ``release``."""
    held, go = tmp_path / "held", tmp_path / "go"
    git.hook(
        remote,
        "pre-receive",
        f'if [ ! -e "{held}" ]; then\n'
        f'  : > "{held}"\n'
        f'  while [ ! -e "{go}" ]; do sleep 0.05; done\n'
        "fi\n"
        "exit 0\n",
    )
    deadline = time.monotonic() + 60

    def release() -> None:
        go.write_text("")

    try:
        yield release
    finally:
        release()  # never leave a hook spinning, even when the test failed
        assert time.monotonic() < deadline


def wait_for(path: Path) -> None:
    deadline = time.monotonic() + 30
    while not path.exists():
        assert time.monotonic() < deadline, "the first push never reached the remote"
        time.sleep(0.02)


class Background:
    """Run one call on a thread; ``result()`` re-raises what it raised."""

    def __init__(self, call: Callable[[], Any]) -> None:
        self._outcome: list[Any] = []
        self._thread = threading.Thread(target=self._run, args=(call,))
        self._thread.start()

    def _run(self, call: Callable[[], Any]) -> None:
        try:
            self._outcome.append((True, call()))
        except Exception as error:  # handed to the test thread
            self._outcome.append((False, error))

    def result(self) -> Any:
        self._thread.join(timeout=60)
        assert not self._thread.is_alive()
        ok, value = self._outcome[0]
        if not ok:
            raise value
        return value


def test_two_identical_promotions_one_lands_the_other_re_plans_to_nothing(
    tmp_path: Path,
    git: Git,
    remote: Path,
    sandbox: Callable[..., str],
    promoter: Callable[..., Any],
) -> None:
    sandbox()
    start = git.count(remote)
    lines: list[str] = []
    with first_push_held(git, remote, tmp_path) as release:
        slow = Background(
            lambda: promoter("sandbox", "staging", workdir=tmp_path / "a", log=lines.append)
        )
        wait_for(tmp_path / "held")
        fast = promoter("sandbox", "staging", workdir=tmp_path / "b")
        release()
        late = slow.result()

    assert fast.result.pushed
    assert any("push to main rejected" in line for line in lines)
    assert late.result.commit_sha == ""  # re-planned on the new tip: nothing left to move
    assert git.count(remote) == start + 1
    assert git("rev-parse", "main", cwd=remote) == fast.result.commit_sha
    assert git("rev-parse", "main", cwd=tmp_path / "a") == fast.result.commit_sha


def test_a_promotion_re_plans_over_an_unrelated_publish_and_lands(
    *,
    tmp_path: Path,
    git: Git,
    remote: Path,
    sandbox: Callable[..., str],
    promoter: Callable[..., Any],
    rendered: Callable[..., dict[str, str]],
) -> None:
    sandbox()
    promoter("sandbox", "staging")
    with first_push_held(git, remote, tmp_path) as release:
        slow = Background(lambda: promoter("staging", "production", workdir=tmp_path / "a"))
        wait_for(tmp_path / "held")
        # Another cluster publishes meanwhile: same platform/, its own folder.
        other = sandbox(cluster="prod", workdir=tmp_path / "prod")
        release()
        late = slow.result()

    tip = git("rev-parse", "main", cwd=remote)
    assert late.result.commit_sha == tip
    assert git("rev-parse", f"{tip}^", cwd=remote) == other  # built on the racer's commit
    assert "clusters/prod/kustomization.yaml" in git.paths(remote)  # nothing lost
    assert git("rev-parse", "main:environments/production/platform", cwd=remote) == git(
        "rev-parse", f"main:{STAGING}", cwd=remote
    )


def test_a_promotion_whose_source_changes_meanwhile_refuses_and_pushes_nothing(
    *,
    tmp_path: Path,
    git: Git,
    remote: Path,
    sandbox: Callable[..., str],
    promoter: Callable[..., Any],
    rendered: Callable[..., dict[str, str]],
) -> None:
    sandbox()
    with first_push_held(git, remote, tmp_path) as release:
        slow = Background(lambda: promoter("sandbox", "staging", workdir=tmp_path / "a"))
        wait_for(tmp_path / "held")
        change = sandbox(files=rendered("dev", ["traefik"]), components=("traefik",))
        release()
        with pytest.raises(PromotionError, match="changed on main while this promotion ran") as e:
            slow.result()

    assert e.value.exit_code == 1
    assert git("rev-parse", "main", cwd=remote) == change
    assert not [path for path in git.paths(remote) if path.startswith(f"{STAGING}/")]
    # Re-running promotes the new state, which is what the refusal advised.
    assert promoter("sandbox", "staging", workdir=tmp_path / "a").result.pushed


def test_a_source_published_after_the_checks_is_refused_not_copied_unnamed(
    *,
    tmp_path: Path,
    git: Git,
    remote: Path,
    sandbox: Callable[..., str],
    promoter: Callable[..., Any],
    rendered: Callable[..., dict[str, str]],
) -> None:
    # The review branch is named after the source commit the checks saw; a sandbox
    # publish landing before the copy is built must not be promoted under that name.
    sandbox()
    published: list[str] = []

    def publish_meanwhile(line: str) -> None:
        if line.startswith("fetching main") and not published:
            files = rendered("dev", ["traefik"])
            published.append(sandbox(files=files, components=("traefik",)))

    with pytest.raises(PromotionError, match="changed on main while this promotion ran") as e:
        promoter("sandbox", "staging", review_branch="", log=publish_meanwhile)

    assert e.value.exit_code == 1
    assert git("rev-parse", "main", cwd=remote) == published[0]
    assert git("for-each-ref", "--format=%(refname)", "refs/heads/promote/", cwd=remote) == ""
