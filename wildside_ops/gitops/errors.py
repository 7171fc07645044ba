"""The one exception the publisher raises, and redaction of secrets in messages."""

from __future__ import annotations

import re

__all__ = ["InterruptedPublishError", "PublishError", "redact"]

# ``scheme://user:password@host`` or ``scheme://token@host``: everything between
# the scheme and the ``@`` may be a credential, so it is dropped wholesale.
_CREDENTIALS = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]+@")


def redact(text: str) -> str:
    """Strip ``user:pass@`` from every URL in ``text`` so it is safe to log."""
    return _CREDENTIALS.sub(r"\g<scheme>", text)


class PublishError(Exception):
    """Publishing failed; the message names what failed and how to fix it.

    Raised before anything is changed, or after every change has been undone,
    so the working tree, index, local branch and remote are as they were.
    """

    def __init__(self, message: str) -> None:
        super().__init__(redact(message))


class InterruptedPublishError(PublishError):
    """A killed publisher left the workdir half updated, and repair was not wanted."""
