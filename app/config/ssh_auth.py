"""Rules for ``gitops.auth = "ssh"``: Flux reads the repository with the deploy key."""

from __future__ import annotations

from app.config.model import GitOpsSettings
from wildside_constructs.cluster.git_ssh import (
    bundled_known_hosts,
    known_hosts_problem,
    ssh_target,
)
from wildside_constructs.problems import Problem

__all__ = ["ssh_auth_problems"]


def ssh_auth_problems(gitops: GitOpsSettings) -> list[Problem]:
    target = ssh_target(gitops.repository_url)
    if target is None:
        return [
            Problem(
                "gitops.repository_url",
                f'{gitops.repository_url!r} has no SSH form for gitops.auth = "ssh": give '
                "ssh://git@HOST/OWNER/REPO.git (or the https:// URL of the same repository, "
                "or git@HOST:OWNER/REPO.git, which are rewritten to it)",
            )
        ]
    found: list[Problem] = []
    if gitops.known_hosts.strip():
        problem = known_hosts_problem(gitops.known_hosts, target)
        if problem:
            found.append(Problem("gitops.known_hosts", problem))
    elif not bundled_known_hosts(target):
        found.append(
            Problem(
                "gitops.known_hosts",
                f"is required for {target.known_hosts_name}: only github.com's host keys "
                "ship with wildside; give the host's known_hosts lines "
                f"(`ssh-keyscan -p {target.port} {target.host}`, checked against the "
                "fingerprints the host publishes)",
            )
        )
    if not gitops.deploy_key_vault_path:
        from wildside_ops.repo_bootstrap.deploy_key import derive_vault_path

        if derive_vault_path(gitops.repository_url) is None:
            found.append(
                Problem(
                    "gitops.deploy_key_vault_path",
                    "cannot be derived from gitops.repository_url (not OWNER/NAME on a "
                    "Git host); give the KV path the deploy key is kept at",
                )
            )
    return found
