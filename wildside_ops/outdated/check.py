"""Ask each pin's source for its releases and keep the pins that have newer ones.

Chart repositories answer with their ``index.yaml``; OCI registries with their
tag list (an anonymous pull token first, as registries require); Flux, the
providers and the actions with their latest GitHub release. An unreachable
source is an error naming it: a report that silently skipped one would claim
pins are current when nobody checked.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

import yaml

from wildside_ops.outdated.pins import Pin

TIMEOUT = 20
_NUMBERS = re.compile(r"\d+")


class OutdatedError(Exception):
    """A source could not be read; the message names it and what to check."""


@dataclass(frozen=True)
class Finding:
    pin: Pin
    latest: str


def _parts(version: str) -> tuple[tuple[int, ...], str]:
    main, _, suffix = version.lstrip("v").partition("-")
    return tuple(int(n) for n in _NUMBERS.findall(main)), suffix


def newest(pinned: str, candidates: list[str]) -> str | None:
    """The highest candidate above ``pinned`` with the same pre-release suffix."""
    numbers, suffix = _parts(pinned)
    best: tuple[tuple[int, ...], str] | None = None
    for candidate in candidates:
        found, found_suffix = _parts(candidate)
        if found_suffix != suffix or not found or found <= numbers:
            continue
        if best is None or found > best[0]:
            best = (found, candidate)
    return best[1] if best else None


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[bytes, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (http(s) only)
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
        return response.read(), dict(response.headers)


def chart_versions(repository: str, chart: str) -> list[str]:
    url = repository.rstrip("/") + "/index.yaml"
    try:
        body, _ = _get(url)
        index = yaml.safe_load(body)
    except (urllib.error.URLError, OSError, yaml.YAMLError) as exc:
        raise OutdatedError(f"chart index {url} is unreachable ({exc}); check the URL") from exc
    entries = (index or {}).get("entries", {}).get(chart)
    if not entries:
        raise OutdatedError(f"chart {chart!r} is not in {url}; check the chart name")
    return [str(entry["version"]) for entry in entries]


def oci_tags(repository: str, chart: str, scheme: str = "https") -> list[str]:
    """Tags of ``oci://host/path/chart`` through the registry's v2 API."""
    host, _, path = repository.removeprefix("oci://").partition("/")
    name = f"{path}/{chart}".strip("/")
    url = f"{scheme}://{host}/v2/{name}/tags/list"
    try:
        try:
            body, _ = _get(url)
        except urllib.error.HTTPError as exc:
            challenge = exc.headers.get("WWW-Authenticate", "")
            if exc.code != 401 or not challenge.startswith("Bearer "):
                raise
            fields = dict(re.findall(r'(\w+)="([^"]*)"', challenge))
            query = urllib.parse.urlencode(
                {"service": fields.get("service", ""), "scope": f"repository:{name}:pull"}
            )
            token_body, _ = _get(f"{fields['realm']}?{query}")
            token = json.loads(token_body).get("token", "")
            body, _ = _get(url, {"Authorization": f"Bearer {token}"})
        tags: list[str] = json.loads(body).get("tags") or []
    except (urllib.error.URLError, OSError, ValueError, KeyError) as exc:
        raise OutdatedError(f"OCI registry {url} is unreachable ({exc}); check the URL") from exc
    return tags


def check_pins(
    pins: list[Pin],
    latest_release: Callable[[str], str],
    *,
    oci_scheme: str = "https",
) -> list[Finding]:
    """Every pin with a newer release; ``latest_release`` maps owner/repo to a tag."""
    findings: list[Finding] = []
    releases: dict[str, str] = {}
    for pin in pins:
        if pin.kind == "chart":
            if pin.source.startswith("oci://"):
                candidates = oci_tags(pin.source, pin.name, oci_scheme)
            else:
                candidates = chart_versions(pin.source, pin.name)
        else:
            if pin.source not in releases:
                releases[pin.source] = latest_release(pin.source)
            candidates = [releases[pin.source]]
        found = newest(pin.version, candidates)
        if found is not None:
            findings.append(Finding(pin, found))
    return findings


def table(findings: list[Finding]) -> str:
    if not findings:
        return "Every pin is current.\n"
    lines = ["| kind | name | pinned | newest | source |", "| --- | --- | --- | --- | --- |"]
    lines += [
        f"| {f.pin.kind} | {f.pin.name} | {f.pin.version} | {f.latest} | {f.pin.source} |"
        for f in findings
    ]
    return "\n".join(lines) + "\n"
