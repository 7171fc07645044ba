"""``wildside outdated``: which pins (charts, Flux, providers, actions) have newer releases."""

from wildside_ops.outdated.check import Finding, OutdatedError, check_pins
from wildside_ops.outdated.pins import Pin, read_pins

__all__ = ["Finding", "OutdatedError", "Pin", "check_pins", "read_pins"]
