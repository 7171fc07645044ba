"""The six-field cron expressions CloudNativePG's ScheduledBackup takes.

CNPG parses ``spec.schedule`` with Go's ``robfig/cron`` (v1), seconds first and
the day of week optional, so the five-field Kubernetes CronJob form is accepted
but misread: "0 0 * * *" becomes "second 0, minute 0, every hour", an hourly
backup. Insisting on six fields here turns that mistake into a configuration
error.
"""

from __future__ import annotations

import re

from wildside_constructs.problems import Problem
from wildside_constructs.settings.text import reads_as_text

_FIELDS = (
    ("seconds", 0, 59, ()),
    ("minutes", 0, 59, ()),
    ("hours", 0, 23, ()),
    ("day of month", 1, 31, ()),
    (
        "month",
        1,
        12,
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"),
    ),
    ("day of week", 0, 6, ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")),
)
_ITEM = re.compile(r"^(?P<range>\*|\?|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(/(?P<step>[0-9]+))?$")
EXAMPLE = "0 0 0 * * *"


def _value(text: str, low: int, high: int, names: tuple[str, ...]) -> int | None:
    if text.upper() in names:
        return low + names.index(text.upper())
    if text.isdigit() and low <= int(text) <= high:
        return int(text)
    return None


def _item_ok(item: str, low: int, high: int, names: tuple[str, ...]) -> bool:
    match = _ITEM.match(item)
    if match is None:
        return False
    step = match.group("step")
    if step is not None and int(step) < 1:
        return False
    bounds = match.group("range")
    if bounds in ("*", "?"):
        return True
    first, _, last = bounds.partition("-")
    start = _value(first, low, high, names)
    end = _value(last, low, high, names) if last else start
    return start is not None and end is not None and start <= end


def schedule_problems(where: str, schedule: str) -> list[Problem]:
    """Why ``schedule`` is not a six-field cron expression CNPG accepts, if it is not."""
    fields = schedule.split()
    if len(fields) != 6:
        return [
            Problem(
                where,
                f"{schedule!r} has {len(fields)} fields; CloudNativePG wants six, seconds "
                f"first (e.g. {EXAMPLE!r} for midnight every day)",
            )
        ]
    for (name, low, high, names), field in zip(_FIELDS, fields, strict=True):
        if not all(_item_ok(item, low, high, names) for item in field.split(",")):
            return [
                Problem(
                    where, f"{schedule!r}: {field!r} is not a valid {name} field ({low}-{high})"
                )
            ]
    if not reads_as_text(schedule) or schedule[0] in "*?":
        # Flux substitutes unquoted: a leading '*' would be read as a YAML alias.
        return [
            Problem(
                where,
                f"{schedule!r} cannot be substituted into YAML unquoted; start with a fixed "
                f"second such as {EXAMPLE!r}",
            )
        ]
    return []
