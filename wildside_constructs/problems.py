"""A field-qualified problem, shared by configuration and render validation."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong, named by field (or GitOps path), and how to put it right."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"
