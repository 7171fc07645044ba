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


class SettingsError(RenderError):
    """A construct was given settings it cannot render.

    It carries the same field-and-fix problems the configuration loader
    reports, so building a construct directly (as a library user or a test
    does) is as safe as going through ``wildside``; the CLI reports it as bad
    input (exit code 2) like any :class:`RenderError`.
    """

    def __init__(self, construct: str, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.field, p.message))
        lines = [f"{construct} settings have {len(self.problems)} problem(s):"]
        lines.extend(f"  - {problem}" for problem in self.problems)
        Exception.__init__(self, "\n".join(lines))

    @classmethod
    def check(cls, construct: object, problems: list[Problem]) -> None:
        """Refuse ``construct``'s settings when there are ``problems``; else nothing."""
        if problems:
            raise cls(type(construct).__name__, problems)
