"""Configuration errors that report every problem at once."""

from __future__ import annotations

from wildside_constructs.problems import Problem

__all__ = ["ConfigError", "Problem"]


class ConfigError(Exception):
    """Raised with every problem found, so a user fixes them in one pass."""

    def __init__(self, problems: list[Problem], source: str = "") -> None:
        self.problems = sorted(problems, key=lambda p: (p.field, p.message))
        self.source = source
        super().__init__(self.render())

    def render(self) -> str:
        origin = f" in {self.source}" if self.source else ""
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"configuration has {count} {noun}{origin}:"]
        lines.extend(f"  - {problem}" for problem in self.problems)
        return "\n".join(lines)
