"""Canonical YAML: sorted keys, one style, LF, trailing newline."""

from __future__ import annotations

from wildside_constructs.yamlout import dump, load


def test_keys_are_sorted_and_output_is_stable() -> None:
    first = dump({"b": 1, "a": {"d": [1, 2], "c": "x"}})
    second = dump({"a": {"c": "x", "d": [1, 2]}, "b": 1})
    assert first == second
    assert first.startswith("a:\n")


def test_multiline_text_uses_literal_blocks_and_round_trips() -> None:
    pem = "-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n"
    text = dump({"ca": pem})
    assert "ca: |" in text
    assert load(text) == {"ca": pem}


def test_ambiguous_scalars_stay_strings() -> None:
    text = dump({"a": "yes", "b": "3", "c": "${replicas}"})
    assert load(text) == {"a": "yes", "b": "3", "c": "${replicas}"}
    assert "c: ${replicas}\n" in text


def test_lf_and_trailing_newline() -> None:
    text = dump({"a": "b"})
    assert text.endswith("\n") and "\r" not in text
