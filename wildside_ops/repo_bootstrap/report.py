"""What a bootstrap hands to a workflow: step outputs and a job summary.

Written only inside a GitHub Actions job (GITHUB_OUTPUT / GITHUB_STEP_SUMMARY
set), so the reusable workflow ``bootstrap-gitops-repo.yml`` can pass them on
as its own outputs. Every value here is public: names, URLs and step states.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from wildside_ops.repo_bootstrap.model import Step
from wildside_ops.vault import masking

__all__ = ["web_url", "write_outputs"]


def web_url(api_url: str, full_name: str) -> str:
    """The repository's web address from the API's: github.com, or a GHES host's."""
    parts = urlsplit(api_url.rstrip("/"))
    host = "github.com" if parts.hostname == "api.github.com" else parts.netloc
    # GitHub Enterprise Server serves its REST API under /api/v3 of the web host.
    base = parts.path.removesuffix("/api/v3").rstrip("/")
    return f"{parts.scheme or 'https'}://{host}{base}/{full_name}"


def summary_lines(steps: Sequence[Step], *, check_only: bool) -> list[str]:
    lines = [str(step) for step in steps]
    return [line.replace("repaired", "drift") for line in lines] if check_only else lines


def write_outputs(
    environ: Mapping[str, str], url: str, steps: Sequence[Step], *, check_only: bool
) -> None:
    drift = any(step.changed for step in steps)
    if environ.get("GITHUB_OUTPUT"):
        path = environ["GITHUB_OUTPUT"]
        for name, value in (
            ("repository_url", url),
            # changed: this run wrote something; drift: something was (or is) out of step.
            ("changed", str(drift and not check_only).lower()),
            ("drift", str(drift).lower()),
            ("summary", "\n".join(summary_lines(steps, check_only=check_only))),
        ):
            masking.export_output(name, value, path, secret=False)
    if environ.get("GITHUB_STEP_SUMMARY"):
        title = "drift check" if check_only else "bootstrap"
        rows = [
            f"| {step.name} | {_state(step, check_only)} | {_cell(step.detail)} |" for step in steps
        ]
        header = [f"### GitOps repository {title}: {url}", "", "| | state | detail |"]
        text = "\n".join([*header, "| --- | --- | --- |", *rows])
        with Path(environ["GITHUB_STEP_SUMMARY"]).open("a", encoding="utf-8") as handle:
            handle.write(text + "\n")


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _state(step: Step, check_only: bool) -> str:
    if not step.changed:
        return "ok"
    return "drift" if check_only else "repaired"
