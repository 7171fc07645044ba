"""GitHub Actions masking and heredoc exports."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from wildside_ops.vault import masking


def parse_runner_file(text: str) -> dict[str, str]:
    """Read a GITHUB_ENV/GITHUB_OUTPUT file the way the runner does."""
    values: dict[str, str] = {}
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line:
            continue
        if "<<" in line:
            name, delimiter = line.split("<<", 1)
            body: list[str] = []
            while lines[index] != delimiter:
                body.append(lines[index])
                index += 1
            index += 1
            values[name] = "\n".join(body)
        else:
            name, value = line.split("=", 1)
            values[name] = value
    return values


def test_mask_prints_one_command_per_non_empty_line() -> None:
    out = io.StringIO()
    assert masking.mask("first\n\n  \nsecond\r\nthird", out) == 3
    assert out.getvalue() == "::add-mask::first\n::add-mask::second\n::add-mask::third\n"


def test_mask_defaults_to_stdout_and_announces_each_value_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    masking.mask("token-value")
    masking.mask("token-value")
    masking.mask("token-value\nother-line")
    assert capsys.readouterr().out == "::add-mask::token-value\n::add-mask::other-line\n"


def test_mask_escapes_percent_so_the_runner_registers_the_literal_value() -> None:
    out = io.StringIO()
    masking.mask("a%0Ab", out)
    assert out.getvalue() == "::add-mask::a%250Ab\n"


def test_export_env_uses_a_heredoc_with_a_fresh_delimiter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "github_env"
    target.write_text("EXISTING=1\n")
    multi = "line one\nline two\n\nline four"
    masking.export_env("DIGITALOCEAN_TOKEN", "dop-secret", target)
    masking.export_env("KUBECONFIG_DATA", multi, target)

    text = target.read_text()
    delimiters = re.findall(r"^[A-Z_]+<<(.+)$", text, flags=re.MULTILINE)
    assert len(delimiters) == len(set(delimiters)) == 2
    assert all(d not in multi and d not in "dop-secret" for d in delimiters)
    assert parse_runner_file(text) == {
        "EXISTING": "1",
        "DIGITALOCEAN_TOKEN": "dop-secret",
        "KUBECONFIG_DATA": multi,
    }
    out = capsys.readouterr().out
    assert "::add-mask::dop-secret\n" in out
    assert "::add-mask::line four\n" in out


def test_export_never_uses_a_delimiter_found_in_the_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tokens = iter(["aaaa", "bbbb"])
    monkeypatch.setattr("wildside_ops.vault.masking.secrets.token_hex", lambda _n: next(tokens))
    value = "looks like ghadelimiter_aaaa inside"
    target = tmp_path / "out"
    masking.export_output("payload", value, target, secret=False)
    assert target.read_text() == f"payload<<ghadelimiter_bbbb\n{value}\nghadelimiter_bbbb\n"


def test_export_output_reads_the_path_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "github_output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(target))
    masking.export_output("cluster-name", "c1", secret=False)
    assert parse_runner_file(target.read_text()) == {"cluster-name": "c1"}
    assert capsys.readouterr().out == "", "non-secret outputs are not masked"


def test_export_without_a_target_fails_clearly() -> None:
    with pytest.raises(RuntimeError, match="GITHUB_ENV is not set"):
        masking.export_env("NAME", "value")


@pytest.mark.parametrize("name", ["", "1ABC", "A-B", "A\nB", "A<<B", "A=B"])
def test_export_env_rejects_bad_names(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="not a valid environment variable name"):
        masking.export_env(name, "v", tmp_path / "env")
    assert not (tmp_path / "env").exists()


def test_crlf_values_survive_the_round_trip(tmp_path: Path) -> None:
    target = tmp_path / "env"
    masking.export_env("WINDOWS", "a\r\nb", target, secret=False)
    assert target.read_bytes().count(b"\r\n") == 1
