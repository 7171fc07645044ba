"""``wildside gitops bootstrap``: create or reconcile the GitOps repository."""

from __future__ import annotations

import argparse
import os
from typing import Any

from app.log import say
from wildside_ops.repo_bootstrap.model import BootstrapError, BootstrapRequest, parse_repository

__all__ = ["add_bootstrap_parser", "run_bootstrap"]

_EPILOG = """\
environment: GITHUB_TOKEN (a token that may create repositories in the owner and
administer them), GITHUB_API_URL (default https://api.github.com; GitHub
Enterprise Server: https://HOST/api/v3), and Vault as for the action: VAULT_ADDR,
VAULT_ROLE_ID, VAULT_SECRET_ID (VAULT_CACERT, VAULT_NAMESPACE).

exit codes: 0 in step (changed or not), 1 GitHub or Vault refused, 2 bad input or,
with --check, drift found (nothing written).
"""


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
        "--required-check",
        action="append",
        metavar="NAME",
        help="a status check pull requests must pass (repeatable; default: validate)",
    )
    parser.add_argument("--public", action="store_true", help="create the repository public")
    parser.add_argument(
        "--vault-path",
        metavar="PATH",
        help="KV path of the deploy key (default: gitops.deploy_key_vault_path, else "
        "wildside/gitops/OWNER/NAME/deploy-key)",
    )
    parser.add_argument(
        "--check", action="store_true", help="report drift (exit 2) and change nothing"
    )
    parser.add_argument(
        "--rotate-key",
        action="store_true",
        help="replace the deploy key (Vault and GitHub); then deploy so Flux gets it",
    )


def _request(args: argparse.Namespace) -> BootstrapRequest:
    from app.config.load import load_config

    config = load_config()
    owner, name = parse_repository(args.repository or config.gitops.repository_url)
    return BootstrapRequest(
        owner=owner,
        name=name,
        branch=config.gitops.branch,
        private=not args.public,
        required_checks=tuple(args.required_check or ("validate",)),
        vault_path=args.vault_path or config.gitops.deploy_key_vault_path,
        check_only=args.check,
        rotate_key=args.rotate_key,
    )


def run_bootstrap(args: argparse.Namespace) -> int:
    from github import Auth, Github

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
        with VaultClient.login(VaultSettings.from_env()) as vault:
            github = Github(auth=Auth.Token(token), base_url=api, retry=None)
            steps = bootstrap(github, vault, request, say)
    except BootstrapError as exc:
        say(f"gitops bootstrap: {exc}")
        return exc.exit_code
    except VaultError as exc:
        say(f"gitops bootstrap: {exc}")
        return 2 if isinstance(exc, VaultConfigError) else 1
    for step in steps:
        say(str(step) if not request.check_only else str(step).replace("repaired", "drift"))
    drift = [step for step in steps if step.changed]
    if request.check_only and drift:
        say(f"{len(drift)} of {len(steps)} checks found drift; run without --check to repair")
        return 2
    return 0
