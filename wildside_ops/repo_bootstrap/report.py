"""What a bootstrap hands to a workflow: step outputs and a job summary.

Written only inside a GitHub Actions job (GITHUB_OUTPUT / GITHUB_STEP_SUMMARY
set), so the reusable workflow ``bootstrap-gitops-repo.yml`` can pass them on
as its own outputs. Every value here is public: names, URLs and step states.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

from wildside_ops.action.runner import append_summary
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
    return [step.line(check_only) for step in steps]


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
    title = "drift check" if check_only else "bootstrap"
    rows = [f"| {step.name} | {step.state(check_only)} | {_cell(step.detail)} |" for step in steps]
    header = [f"### GitOps repository {title}: {url}", "", "| | state | detail |"]
    append_summary("\n".join([*header, "| --- | --- | --- |", *rows]), environ)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")
