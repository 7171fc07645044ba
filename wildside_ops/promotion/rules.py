"""Which promotions are allowed: one step forward at a time, unless forced."""

from __future__ import annotations

from dataclasses import dataclass

from wildside_constructs.promotion import ENVIRONMENTS, platform_root

__all__ = ["PromotionError", "Route", "check_route"]


class PromotionError(Exception):
    """A promotion refused: exit code 2 for input (nothing written), 1 otherwise."""

    def __init__(self, message: str, *, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class Route:
    """A checked promotion: from ``source`` to ``target``, and why it was forced."""

    source: str
    target: str
    # Empty for an ordinary promotion; else what --force allowed ("skips staging").
    forced: str = ""

    @property
    def source_root(self) -> str:
        return platform_root(self.source)

    @property
    def target_root(self) -> str:
        return platform_root(self.target)

    @property
    def arrow(self) -> str:
        return f"{self.source} → {self.target}"


def _known(flag: str, name: str) -> None:
    if name not in ENVIRONMENTS:
        raise PromotionError(
            f"{flag} {name!r} is not an environment; give one of {', '.join(ENVIRONMENTS)}"
        )


def _next_step(source: str) -> str:
    following = ENVIRONMENTS[ENVIRONMENTS.index(source) + 1 :]
    if not following:
        return f"{source} is the last environment, so there is nothing to promote it to"
    return f"the next step is --from {source} --to {following[0]}"


def check_route(source: str, target: str, *, force: bool = False) -> Route:
    """Check ``--from``/``--to``; raise ``PromotionError`` (exit 2) naming the fix."""
    _known("--from", source)
    _known("--to", target)
    if source == target:
        raise PromotionError(
            f"--from and --to are both {source!r}; a promotion copies one environment's "
            f"platform into another: {_next_step(source)}"
        )
    if target == ENVIRONMENTS[0]:
        # platform/ is whatever the clusters' publishes render; a copy put there
        # would be rewritten by the next one (or refused as a shared change).
        raise PromotionError(
            f"--to {target}: {target} runs platform/, which every publish writes, so "
            "nothing is promoted into it; to undo a change there, `git revert` the "
            "publish commit or publish from an earlier revision of the project"
        )
    step = ENVIRONMENTS.index(target) - ENVIRONMENTS.index(source)
    if step == 1:
        return Route(source, target)
    if step > 1:
        skipped = ENVIRONMENTS[ENVIRONMENTS.index(source) + 1 : ENVIRONMENTS.index(target)]
        names = " and ".join(skipped)
        reason = f"skips {names}"
        advice = (
            f"promote through each environment in turn ({_next_step(source)}), or give "
            f"--force to copy {source}'s platform straight into {target}"
        )
    else:
        reason = f"goes backwards ({target} comes before {source})"
        advice = (
            f"to undo a promotion, `git revert` its commit instead; or give --force to "
            f"copy {source}'s platform back over {target}'s"
        )
    if not force:
        raise PromotionError(f"--from {source} --to {target} {reason}; {advice}")
    return Route(source, target, forced=reason)
