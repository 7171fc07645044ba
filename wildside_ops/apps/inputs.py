"""Check what a `wildside app` command is given, before anything is touched.

Each problem names the option and the fix; all are reported at once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from wildside_constructs.problems import Problem

__all__ = ["ImageReference", "image_problems", "parse_images", "parse_reference", "pr_problems"]

SHA = re.compile(r"^[0-9a-f]{40}$")
# The grammar of github.com/distribution/reference: [domain/]path[:tag][@digest].
_DOMAIN_PART = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"{_DOMAIN_PART}(?:\.{_DOMAIN_PART})*(?::[0-9]+)?"
_PATH_PART = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REFERENCE = re.compile(
    rf"^(?P<repository>(?:{_DOMAIN}/)?{_PATH_PART}(?:/{_PATH_PART})*)"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?"
    r"(?:@(?P<digest>sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128}))?$"
)
_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_FIX_DIGEST = (
    "pin it by digest: NAME=REGISTRY/REPOSITORY:TAG@sha256:<64 hex> "
    "(the digest `docker buildx imagetools inspect` or the build step prints)"
)


@dataclass(frozen=True)
class ImageReference:
    repository: str
    tag: str
    digest: str


def parse_reference(text: str) -> ImageReference:
    """Split a reference already checked by :func:`image_problems`."""
    found = _REFERENCE.match(text)
    if found is None:
        raise ValueError(f"not an OCI image reference: {text!r}")
    return ImageReference(found["repository"], found["tag"] or "", found["digest"] or "")


def pr_problems(number: str, sha: str | None) -> list[Problem]:
    problems: list[Problem] = []
    if not re.fullmatch(r"[1-9][0-9]{0,8}", number):
        problems.append(
            Problem("--pr", f"{number!r} is not a pull-request number; give a positive integer")
        )
    if sha is not None and not SHA.match(sha):
        problems.append(
            Problem(
                "--sha",
                f"{sha!r} is not a commit SHA; give the full 40 lower-case hex characters "
                "(git rev-parse HEAD, or github.event.pull_request.head.sha)",
            )
        )
    return problems


def image_problems(pairs: Sequence[str], expected: Sequence[str]) -> list[Problem]:
    """Problems with ``--image NAME=REF`` options; every name in ``expected`` is required."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for pair in pairs:
        name, equals, ref = pair.partition("=")
        where = f"--image {name or pair}"
        if not equals or not _NAME.match(name):
            problems.append(Problem("--image", f"{pair!r} is not NAME=REFERENCE"))
            continue
        if name not in expected:
            problems.append(
                Problem(where, f"unknown image; apps.images names {', '.join(expected)}")
            )
        if name in seen:
            problems.append(Problem(where, "given twice; give each image once"))
        seen.add(name)
        found = _REFERENCE.match(ref)
        if found is None:
            problems.append(Problem(where, f"{ref!r} is not a valid OCI image reference"))
        elif not found["digest"]:
            problems.append(
                Problem(where, f"{ref!r} is mutable (a tag without a digest); {_FIX_DIGEST}")
            )
    missing = [name for name in expected if name not in seen]
    if missing:
        problems.append(
            Problem(
                "--image",
                f"no reference for {', '.join(missing)}; every image in apps.images is "
                "pinned on each deploy: add --image NAME=REF for each",
            )
        )
    return problems


def parse_images(pairs: Sequence[str]) -> dict[str, str]:
    """``{name: reference}`` from options already checked by :func:`image_problems`."""
    return dict(pair.partition("=")[::2] for pair in pairs)
