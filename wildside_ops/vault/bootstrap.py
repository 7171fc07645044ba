"""``wildside vault bootstrap``: from a fresh appliance to the AppRole CI logs in with.

Initialize (once; the unseal keys and root token go only into a file encrypted
to the operators' age keys), unseal with shares from ``VAULT_UNSEAL_KEYS``,
then check every piece (audit device, KV v2, AppRole, policies, roles) and
repair what drifted; the initial root token is revoked at the end. A re-run
logs in with an operator's ``VAULT_TOKEN`` and writes nothing when nothing
drifted. ``--check`` writes nothing at all and exits 2 on drift.

Exit codes: 0 done (or no drift), 2 bad input or drift under ``--check``,
1 Vault unreachable, sealed with too few shares, or a request failed. No
share or token is ever printed, logged or written anywhere but the age file.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hvac
import pyrage
import requests

from app.log import say
from wildside_constructs.vault_appliance.settings import (
    VaultApplianceSettings,
    bootstrap_problems,
)
from wildside_ops.vault import masking
from wildside_ops.vault.bootstrap_steps import BootstrapConflict, Steps

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
SHARES_ENV = "VAULT_UNSEAL_KEYS"  # one share per line (or comma-separated)
TOKEN_ENV = "VAULT_TOKEN"  # noqa: S105 - a variable name


def _mask(value: str) -> None:
    # Only a runner hides ::add-mask:: lines; anywhere else they would print the value.
    if masking.in_github_actions():
        masking.mask(value)


class BootstrapError(Exception):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def bad_input(message: str) -> BootstrapError:
    return BootstrapError(message, EXIT_BAD_INPUT)


def failed(message: str) -> BootstrapError:
    return BootstrapError(message, EXIT_FAILED)


@dataclass
class Run:
    appliance: VaultApplianceSettings
    environ: Mapping[str, str]
    check: bool
    root: Path  # a relative keys_file is relative to this folder (the working directory)

    @property
    def keys_file(self) -> Path:
        return self.root / self.appliance.bootstrap.keys_file

    def client(self, token: str = "") -> hvac.Client:
        ca = self.environ.get("VAULT_CACERT") or self.appliance.bootstrap.ca_file
        address = self.environ.get("VAULT_ADDR") or self.appliance.address
        return hvac.Client(url=address, token=token or None, verify=ca or True, timeout=10)

    def shares(self) -> list[str]:
        text = self.environ.get(SHARES_ENV, "")
        found = [s.strip() for s in text.replace(",", "\n").splitlines() if s.strip()]
        for share in found:
            _mask(share)
        return found


def _seal_status(client: hvac.Client) -> dict[str, Any]:
    status = client.sys.read_seal_status()
    return status if isinstance(status, dict) else {}


def _initialize(run: Run, client: hvac.Client) -> tuple[list[str], str]:
    """Init Vault and write the encrypted file; the keys stay in memory only."""
    b = run.appliance.bootstrap
    recipients = [pyrage.x25519.Recipient.from_str(key) for key in b.recipients]
    target = run.keys_file
    target.parent.mkdir(parents=True, exist_ok=True)
    # Prove the folder is writable before init: after it, losing the keys is final.
    with tempfile.NamedTemporaryFile(dir=target.parent, prefix=".probe-"):
        pass
    result = client.sys.initialize(secret_shares=b.key_shares, secret_threshold=b.key_threshold)
    keys, root_token = list(result["keys_base64"]), str(result["root_token"])
    for value in (*keys, root_token):
        _mask(value)
    document = json.dumps(
        {"unseal_keys_b64": keys, "root_token": root_token, "threshold": b.key_threshold}
    ).encode()
    sealed_text = pyrage.encrypt(document, recipients)
    handle, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(sealed_text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    say(
        f"initialized Vault ({b.key_shares} shares, threshold {b.key_threshold}); keys "
        f"encrypted to {len(recipients)} operator key(s) in {target}"
    )
    return keys, root_token


def _unseal(client: hvac.Client, shares: list[str]) -> None:
    status = _seal_status(client)
    if not status.get("sealed"):
        return
    if not shares:
        raise failed(
            f"Vault is sealed and no unseal shares were given: set {SHARES_ENV} to at least "
            f"{status.get('t')} shares (one per line) and rerun"
        )
    client.sys.submit_unseal_key(reset=True)
    for share in shares:
        try:
            status = client.sys.submit_unseal_key(key=share)
        except hvac.exceptions.InvalidRequest:
            client.sys.submit_unseal_key(reset=True)
            raise failed(f"Vault refused one of the shares in {SHARES_ENV}; check them") from None
        if not status.get("sealed"):
            say("unsealed Vault")
            return
    client.sys.submit_unseal_key(reset=True)  # leave no partial progress behind
    raise failed(
        f"Vault is still sealed: {len(shares)} share(s) given, {status.get('t')} needed; "
        f"add shares to {SHARES_ENV} and rerun"
    )


def _open(run: Run, client: hvac.Client, token: str) -> str | None:
    """Initialize (once) and unseal; the initial root token, "" or None for drift."""
    shares = run.shares()
    if client.sys.is_initialized():
        if not token:
            raise bad_input(
                f"Vault is already initialized: set {TOKEN_ENV} to an operator token (e.g. "
                "from `vault operator generate-root`) so the bootstrap can verify it"
            )
        own_root = ""
    elif run.check:
        say("drift: Vault is not initialized")
        return None
    elif run.keys_file.exists():
        raise bad_input(
            f"Vault is not initialized but {run.keys_file} exists; it may hold another "
            "Vault's keys. Move it away (or set vault_appliance.bootstrap.keys_file)"
        )
    else:
        shares, own_root = _initialize(run, client)
    if not run.check:
        _unseal(client, shares)
    elif _seal_status(client).get("sealed"):
        say("drift: Vault is sealed")
        return None
    return own_root


def bootstrap(run: Run) -> int:
    problems = bootstrap_problems(run.appliance.bootstrap, "vault_appliance.bootstrap")
    if problems:
        raise bad_input("; ".join(str(p) for p in problems))
    token = run.environ.get(TOKEN_ENV, "")
    if token:
        _mask(token)
    client = run.client()
    own_root = _open(run, client, token)
    if own_root is None:
        return EXIT_BAD_INPUT
    client.token = own_root or token
    steps = Steps(client, run.appliance.bootstrap, _snapshot(run.appliance), apply=not run.check)
    try:
        drift = steps.all()
    finally:
        if own_root:
            # Revoked even when a step failed: a root token must not outlive the run.
            # The next run finishes the set-up with an operator's VAULT_TOKEN.
            client.auth.token.revoke_self()
            say("revoked the initial root token")
    for line in drift:
        say(f"{'drift' if run.check else 'repaired'}: {line}")
    if run.check and drift:
        return EXIT_BAD_INPUT
    say("Vault is ready" if not drift else f"Vault is ready ({len(drift)} change(s))")
    return EXIT_OK


def _wait_until_answering(run: Run, wait: float, sleep: Callable[[float], None]) -> None:
    """Poll until Vault answers (a new node installs Vault at first boot) or time is up."""
    deadline = time.monotonic() + wait
    delay = 2.0
    while time.monotonic() < deadline:
        try:
            run.client().sys.read_seal_status()
            return
        except (
            requests.exceptions.ConnectionError,
            requests.exceptions.Timeout,
            hvac.exceptions.BadGateway,
            hvac.exceptions.VaultDown,
        ):
            say(f"Vault is not answering yet; retrying in {delay:.0f}s")
            sleep(delay)
            delay = min(delay * 2, 30.0)


def _snapshot(appliance: VaultApplianceSettings) -> Any:
    return appliance.snapshot if appliance.snapshot.enabled else None


def run_bootstrap(
    appliance: VaultApplianceSettings | None,
    environ: Mapping[str, str],
    *,
    check: bool,
    root: Path,
    wait: float = 0,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Run and map every failure to its exit code with one clear line."""
    if appliance is None:
        say("no [vault_appliance] table in the configuration; add one (docs/vault-appliance.md)")
        return EXIT_BAD_INPUT
    run = Run(appliance, environ, check, root)
    try:
        _wait_until_answering(run, wait, sleep)
        return bootstrap(run)
    except BootstrapError as exc:
        say(str(exc))
        return exc.code
    except (
        BootstrapConflict,
        requests.exceptions.RequestException,
        hvac.exceptions.VaultError,
        pyrage.RecipientError,
    ) as exc:
        return _failure(run, exc)


def _failure(run: Run, exc: Exception) -> int:
    """One line naming what failed and what to check; never a value sent or received."""
    if isinstance(exc, pyrage.RecipientError):
        return _bad("vault_appliance.bootstrap.recipients: a key is not a valid age public key")
    if isinstance(exc, BootstrapConflict):
        say(f"conflict: {exc}")
    elif isinstance(exc, requests.exceptions.SSLError):
        say("TLS verification failed: point VAULT_CACERT or bootstrap.ca_file at Vault's CA")
    elif isinstance(exc, requests.exceptions.RequestException):
        say(
            f"cannot reach Vault at {run.client().url}; check the address, the firewall's "
            "api_source_ranges and that the nodes are up"
        )
    else:
        # hvac's messages carry Vault's error text, never the request body.
        say(f"Vault refused a request: {type(exc).__name__}: {exc}")
    return EXIT_FAILED


def _bad(message: str) -> int:
    say(message)
    return EXIT_BAD_INPUT


def add_parser(commands: Any) -> None:
    """``wildside vault bootstrap``: registered by app/cli.py (kept separate to re-wire)."""
    vault = commands.add_parser("vault", help="operate the shared Vault appliance")
    verbs = vault.add_subparsers(dest="vault_command", metavar="VERB", required=True)
    boot = verbs.add_parser(
        "bootstrap",
        help="initialize, unseal and configure the Vault appliance (idempotent)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    boot.add_argument("--config", metavar="FILE", help="configuration file (WILDSIDE_CONFIG)")
    boot.add_argument(
        "--check", action="store_true", help="report drift (exit 2) and change nothing"
    )
    boot.add_argument(
        "--wait",
        type=float,
        default=0,
        metavar="SECONDS",
        help="wait up to this long for a new appliance to answer (first boot takes minutes)",
    )
    from wildside_ops.vault.appliance_action import add_verbs

    add_verbs(verbs)


def run(args: argparse.Namespace) -> int:
    if args.vault_command != "bootstrap":
        from wildside_ops.vault.appliance_action import run_verb

        return run_verb(args)
    from app.config.load import load_config

    config = load_config()
    code = run_bootstrap(
        config.vault_appliance, os.environ, check=args.check, root=Path.cwd(), wait=args.wait
    )
    if config.vault_appliance is not None and os.environ.get("GITHUB_OUTPUT"):
        keys = Path.cwd() / config.vault_appliance.bootstrap.keys_file
        if keys.is_file():  # encrypted: safe to name and to upload as an artifact
            masking.export_output("keys_file", str(keys), secret=False)
    return code
