"""Errors of ``wildside secrets``: bad input (exit 2) and failed steps (exit 1)."""

from __future__ import annotations


class SecretsError(Exception):
    """A refusal with the fix named; ``exit_code`` is 2 for input, 1 for a failed step."""

    def __init__(self, message: str, *, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code
