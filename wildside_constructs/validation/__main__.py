"""``python -m wildside_constructs.validation DIR``: check a GitOps checkout in CI.

Runs the rules synth runs (chart sources and versions, kustomization listings,
literal Secrets, Flux paths and dependsOn) and, when the upstream schemas are
available, schema validation after each cluster's substitutions. Exit status:
0 no problem, 1 problems found (each printed as ``path: rule: detail``), 2 bad
arguments.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from wildside_constructs.validation.disk import check_files, read_tree
from wildside_constructs.validation.flux_rules import awaiting_promotion
from wildside_constructs.validation.rules import Files
from wildside_constructs.validation.schemas import SCHEMA_DIR_ENV, SchemaStore, schema_dir

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_BAD_INPUT = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m wildside_constructs.validation",
        description="Validate a Flux GitOps checkout rendered by wildside-infra-k8s.",
    )
    parser.add_argument("directory", type=Path, help="root of the GitOps checkout")
    schemas = parser.add_mutually_exclusive_group()
    schemas.add_argument(
        "--schemas",
        type=Path,
        metavar="DIR",
        help=f"schema folder holding index.json (default: ${SCHEMA_DIR_ENV} or ../shared/schemas)",
    )
    schemas.add_argument("--no-schemas", action="store_true", help="skip schema validation")
    return parser


def _schemas(args: argparse.Namespace) -> SchemaStore | None:
    if args.no_schemas:
        return None
    found = args.schemas if args.schemas is not None else schema_dir()
    if found is None:
        print("note: no schema folder found; schema validation skipped", file=sys.stderr)
        return None
    return SchemaStore(found)


def _note_awaiting(files: Files) -> None:
    # Not a problem: Flux keeps what it applied and retries until the copy exists.
    for line in awaiting_promotion(files):
        print(f"note: {line} awaits promotion (wildside promote)", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    root: Path = args.directory
    if not root.is_dir():
        print(f"error: {root} is not a directory", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.schemas is not None and not (args.schemas / "index.json").is_file():
        print(f"error: {args.schemas} has no index.json", file=sys.stderr)
        return EXIT_BAD_INPUT
    schemas = _schemas(args)
    files, read_problems = read_tree(root)
    problems = check_files(files, read_problems, schemas)
    for problem in problems:
        print(problem)
    _note_awaiting(files)
    if problems:
        print(f"{root}: {len(problems)} problem(s) in {len(files)} file(s)", file=sys.stderr)
        return EXIT_PROBLEMS
    print(f"{root}: {len(files)} file(s), no problems", file=sys.stderr)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
