"""The error synth raises when a rendered tree breaks a rule."""

from __future__ import annotations

from wildside_constructs.problems import Problem


class RenderError(Exception):
    """Every broken rule at once; synth stops and nothing is published."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.field, p.message))
        lines = [f"rendered GitOps tree breaks {len(self.problems)} rule(s):"]
        lines.extend(f"  - {problem}" for problem in self.problems)
        super().__init__("\n".join(lines))
