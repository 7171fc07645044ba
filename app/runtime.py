"""Prepare the Node.js runtime jsii uses, before any CDKTF import.

CDKTF's Python bindings run their JavaScript in a Node child process. The
project pins Node 22 in ``node_modules`` (see package.json): putting it first
on PATH makes jsii use a supported Node, which also silences its end-of-life
banner. This module must not import cdktf itself.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
NODE_BIN = PROJECT_ROOT / "node_modules" / ".bin"


def prepare_node(environ: dict[str, str] | None = None) -> None:
    env = os.environ if environ is None else environ
    if (NODE_BIN / "node").exists():
        path = env.get("PATH", "")
        if not path.startswith(f"{NODE_BIN}{os.pathsep}"):
            env["PATH"] = f"{NODE_BIN}{os.pathsep}{path}"
    options = env.get("NODE_OPTIONS", "")
    # jsii's bundled dependencies call deprecated Node APIs; the warnings are
    # noise for users and cannot be fixed here.
    if "--no-deprecation" not in options:
        env["NODE_OPTIONS"] = f"{options} --no-deprecation".strip()
    env.setdefault("CHECKPOINT_DISABLE", "1")
