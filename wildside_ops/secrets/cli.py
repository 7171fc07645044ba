"""``wildside secrets``: keep Secrets in Git, encrypted with SOPS and age."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.config.errors import ConfigError
from app.config.errors import Problem as ConfigProblem
from app.log import say
from wildside_ops.secrets.commands import (
    SecretsContext,
    check,
    edit,
    parse_values,
    rotate,
    set_values,
)
from wildside_ops.secrets.errors import SecretsError
from wildside_ops.secrets.layout import SecretsLayout

__all__ = ["add_parser", "run"]

_EPILOG = """\
Files live in platform/secrets/clusters/<cluster>/ of the GitOps working tree
([gitops] dir, default .gitops/). Changing or rotating existing files needs the
cluster's age private key in SOPS_AGE_KEY_FILE (or SOPS_AGE_KEY); creating a new
Secret needs only the public recipients from [sops] age_recipients. Nothing is
committed: review the change with git diff and commit it like any other.

exit codes: 0 success, 1 sops failed, 2 bad input or a check failed.
"""


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "secrets",
        help="SOPS-encrypted Secrets in the GitOps repository (set, edit, rotate, check)",
        description="Encrypt, edit and rotate Secrets kept in Git with SOPS and age.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--config", metavar="FILE", help="configuration file (sets WILDSIDE_CONFIG)"
    )
    parser.add_argument("--dir", type=Path, help="GitOps working tree (default: [gitops] dir)")
    verbs = parser.add_subparsers(dest="secrets_command", metavar="VERB", required=True)
    setter = verbs.add_parser("set", help="create a Secret or change keys in it")
    editor = verbs.add_parser("edit", help="open a Secret decrypted in $EDITOR (sops edit)")
    for verb in (setter, editor):
        verb.add_argument("name", metavar="NAME", help="the Secret's name")
        verb.add_argument("-n", "--namespace", required=True, help="the Secret's namespace")
    # As kubectl's --from-literal; visible in ps and shell history, so the
    # other sources are preferred for real credentials.
    setter.add_argument("--from-literal", action="append", default=[], metavar="KEY=VALUE")
    setter.add_argument("--from-file", action="append", default=[], metavar="KEY=PATH")
    setter.add_argument("--from-env", action="append", default=[], metavar="KEY=VARIABLE")
    setter.add_argument("--from-stdin", metavar="KEY", help="read one value from standard input")
    verbs.add_parser(
        "init", help="create this cluster's folder and .sops.yaml rule (set does this too)"
    )
    verbs.add_parser("rotate", help="re-encrypt every file to the current recipients, new data key")
    verbs.add_parser(
        "check", help="fail if any file under platform/secrets/ is not fully encrypted"
    )


def _context(args: argparse.Namespace) -> SecretsContext:
    from app.config.load import load_config
    from app.post_synth import gitops_dir

    config = load_config()
    settings = config.settings.get("sops")
    if settings is None or "sops" not in config.components.enabled():
        raise ConfigError(
            [
                ConfigProblem(
                    "components.sops", "is off; set it to true and list [sops] age_recipients"
                )
            ],
            source=config.source,
        )
    root = args.dir or gitops_dir(config)
    if not root.is_dir():
        raise SecretsError(
            f"--dir: {root} is not a directory; run `wildside synth` first or pass --dir"
        )
    return SecretsContext(
        SecretsLayout(root.resolve(), config.cluster.name), tuple(settings.age_recipients)
    )


def run(args: argparse.Namespace) -> int:
    try:
        context = _context(args)
        verb = args.secrets_command
        if verb == "set":
            values = parse_values(
                args.from_literal, args.from_file, args.from_env, args.from_stdin, sys.stdin.read
            )
            set_values(context, args.namespace, args.name, values, say)
        elif verb == "edit":
            edit(context, args.namespace, args.name, say)
        elif verb == "init":
            context.layout.write_sops_config(context.recipients)
            listing = context.layout.write_kustomization()
            say(f"ready: {context.layout.relative(listing)} and .sops.yaml; review and commit them")
        elif verb == "rotate":
            rotate(context, say)
        elif check(context, say):
            return 2
    except SecretsError as exc:
        say(f"secrets: {exc}")
        return exc.exit_code
    return 0
