"""``wildside gitops bootstrap``: create or reconcile the GitOps repository."""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from app.log import say
from wildside_ops.repo_bootstrap.model import BootstrapError, BootstrapRequest, parse_repository

__all__ = ["add_bootstrap_parser", "run_bootstrap"]

_EPILOG = """\
environment: GITHUB_TOKEN (a token that may create repositories in the owner and
administer them: a GitHub App installation token or a personal access token),
GITHUB_API_URL (default https://api.github.com; GitHub Enterprise Server:
https://HOST/api/v3), and Vault as for the action: VAULT_ADDR, VAULT_ROLE_ID,
VAULT_SECRET_ID (VAULT_CACERT, VAULT_NAMESPACE, WILDSIDE_VAULT_KV_MOUNT).

In a GitHub Actions job the step outputs repository_url, changed, drift and
summary are set, and a table is added to the job summary.

exit codes: 0 in step (changed or not), 1 GitHub or Vault refused, 2 bad input or,
with --check, drift found (nothing written).
"""
_TRUE, _FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off", ""}


def _boolean(text: str) -> bool:
    # `--check "$CHECK_ONLY"` lets a workflow pass its boolean input straight through.
    value = text.strip().lower()
    if value in _TRUE | _FALSE:
        return value in _TRUE
    raise argparse.ArgumentTypeError(f"expected true or false, not {text!r}")


def add_bootstrap_parser(gitops: Any) -> None:
    parser = gitops.add_parser(
        "bootstrap",
        help="create or reconcile the GitOps repository (layout, deploy key, protection)",
        description="Create the GitOps repository when missing, seed its layout, keep a "
        "read-only ed25519 deploy key for Flux (private half in Vault) and protect its "
        "default branch; re-runs verify and repair only what drifted.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--config", metavar="FILE", help="configuration file (sets WILDSIDE_CONFIG)"
    )
    parser.add_argument(
        "--repository", metavar="OWNER/NAME", help="default: from gitops.repository_url"
    )
    parser.add_argument(
        "--branch", metavar="NAME", help="the default branch to protect (default: gitops.branch)"
    )
    parser.add_argument(
        "--required-check",
        action="append",
        metavar="NAME",
        help="a status check pull requests must pass (repeatable, or several names one per "
        "line; default: validate)",
    )
    parser.add_argument(
        "--public",
        nargs="?",
        const=True,
        default=False,
        type=_boolean,
        metavar="BOOL",
        help="create the repository public (--public, or --public true|false)",
    )
    parser.add_argument(
        "--vault-path",
        metavar="PATH",
        help="KV path of the deploy key (default: gitops.deploy_key_vault_path for the "
        "configured repository, else wildside/gitops/OWNER/NAME/deploy-key)",
    )
    parser.add_argument(
        "--vault-ca-certificate",
        metavar="PEM",
        default="",
        help="PEM (or base64 PEM) of the CA that signed Vault's certificate; empty: "
        "VAULT_CACERT or system trust",
    )
    parser.add_argument(
        "--check",
        nargs="?",
        const=True,
        default=False,
        type=_boolean,
        metavar="BOOL",
        help="report drift (exit 2) and change nothing (--check, or --check true|false)",
    )
    parser.add_argument(
        "--rotate-key",
        action="store_true",
        help="replace the deploy key (Vault and GitHub); then deploy so Flux gets it",
    )


def _required_checks(given: list[str] | None) -> tuple[str, ...]:
    if given is None:
        return ("validate",)
    # A status check's name never holds a newline, but may hold commas ("test (3.11, x)").
    names = [line.strip() for value in given for line in value.splitlines() if line.strip()]
    if not names:
        raise BootstrapError(
            "--required-check: no status check named; give at least one name (one per "
            "line), or leave the option out for the default, validate",
            exit_code=2,
        )
    return tuple(dict.fromkeys(names))


def _configured(url: str) -> tuple[str, str] | None:
    """The configuration's repository, lower-cased as GitHub compares names; None if not GitHub."""
    try:
        owner, name = parse_repository(url)
    except BootstrapError:
        return None
    return owner.lower(), name.lower()


def _request(args: argparse.Namespace) -> BootstrapRequest:
    from app.config.load import load_config

    config = load_config()
    owner, name = parse_repository(args.repository or config.gitops.repository_url)
    vault_path = args.vault_path
    if not vault_path and _configured(config.gitops.repository_url) == (
        owner.lower(),
        name.lower(),
    ):
        # The configured key path is that repository's; another one named by
        # --repository keeps its key at its own derived path.
        vault_path = config.gitops.deploy_key_vault_path
    return BootstrapRequest(
        owner=owner,
        name=name,
        branch=(args.branch or "").strip() or config.gitops.branch,
        private=not args.public,
        required_checks=_required_checks(args.required_check),
        vault_path=vault_path,
        check_only=args.check,
        rotate_key=args.rotate_key,
    )


@contextmanager
def _vault_environment(ca_certificate: str) -> Iterator[dict[str, str]]:
    """The Vault variables, with VAULT_CACERT pointing at a private copy of a given CA."""
    from wildside_ops.action.vault_access import write_ca_file

    environ = dict(os.environ)
    if not ca_certificate.strip():
        yield environ
        return
    with tempfile.TemporaryDirectory(prefix="wildside-vault-ca-") as work:
        environ["VAULT_CACERT"] = str(write_ca_file(ca_certificate, Path(work)))
        yield environ


def run_bootstrap(args: argparse.Namespace) -> int:
    from github import Auth, Github

    from wildside_ops.repo_bootstrap.report import summary_lines, web_url, write_outputs
    from wildside_ops.repo_bootstrap.run import bootstrap
    from wildside_ops.vault.client import VaultClient
    from wildside_ops.vault.errors import VaultConfigError, VaultError
    from wildside_ops.vault.settings import VaultSettings

    try:
        request = _request(args)
        token = os.environ.get("GITHUB_TOKEN", "")
        if not token:
            raise BootstrapError(
                "GITHUB_TOKEN is not set; export a token for the GitHub API", exit_code=2
            )
        api = os.environ.get("GITHUB_API_URL") or "https://api.github.com"
        with (
            _vault_environment(args.vault_ca_certificate) as environ,
            VaultClient.login(VaultSettings.from_env(environ)) as vault,
        ):
            github = Github(auth=Auth.Token(token), base_url=api, retry=None)
            steps = bootstrap(github, vault, request, say)
    except BootstrapError as exc:
        say(f"gitops bootstrap: {exc}")
        return exc.exit_code
    except VaultError as exc:
        say(f"gitops bootstrap: {exc}")
        return 2 if isinstance(exc, VaultConfigError) else 1
    for line in summary_lines(steps, check_only=request.check_only):
        say(line)
    write_outputs(os.environ, web_url(api, request.full_name), steps, check_only=request.check_only)
    drift = [step for step in steps if step.changed]
    if request.check_only and drift:
        say(f"{len(drift)} of {len(steps)} checks found drift; run without --check to repair")
        return 2
    return 0
