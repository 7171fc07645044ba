"""A GitOps folder the user cannot write is bad input, reported before any synth."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.config.errors import ConfigError
from tests.support import config


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only folders")
def test_read_only_gitops_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "gitops"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(ConfigError, match=r"gitops\.dir: .* is not writable"):
            config({"WILDSIDE_GITOPS_DIR": str(folder / "repo")})
    finally:
        folder.chmod(0o755)


def test_gitops_folder_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x\n")
    with pytest.raises(ConfigError, match=r"gitops\.dir: .* is not a folder"):
        config({"WILDSIDE_GITOPS_DIR": str(tmp_path / "file")})
