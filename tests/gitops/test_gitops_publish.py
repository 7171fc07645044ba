"""Publishing into a remote and into a local-only repository."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from wildside_ops.gitops import PublishError, PublishRequest, publish

if TYPE_CHECKING:
    from tests.gitops.conftest import Git


def _quiet(_line: str) -> None:
    pass


def test_first_publish_creates_branch_then_rerun_is_a_no_op(
    git: Git, remote: Path, make_request: Callable[..., PublishRequest], logs: list[str]
) -> None:
    request = make_request(source_commit="0123abcd")
    result = publish(request, log=logs.append)

    assert result.pushed
    assert result.commit_sha == git("rev-parse", "refs/heads/main", cwd=remote)
    assert result.manifest_count == len(request.files)
    assert result.added == tuple(sorted([*request.files, ".wildside/ownership/dev.json"]))
    assert result.changed == result.removed == ()
    assert sorted(git.paths(remote)) == list(result.added)
    for path, text in request.files.items():
        assert (request.workdir / path).read_bytes() == text.encode()
    assert git("rev-parse", "HEAD", cwd=request.workdir) == result.commit_sha
    assert git("status", "--porcelain", cwd=request.workdir) == ""
    record = (request.workdir / ".wildside/ownership/dev.json").read_text()
    assert record.endswith("]\n")
    assert '"clusters/dev/kustomization.yaml"' in record
    assert any(line.startswith("pushed ") and "(attempt 1)" in line for line in logs)

    before = git.state(request.workdir, remote)
    again = publish(request, log=logs.append)
    assert again.commit_sha == ""
    assert not again.pushed
    assert again.added == again.changed == again.removed == ()
    assert git.count(remote) == 1
    assert git.state(request.workdir, remote) == before  # nothing written: mtimes too
    assert logs[-1] == "no change: nothing to commit"


def test_local_mode_initialises_workdir_and_commits(
    tmp_path: Path, git: Git, make_request: Callable[..., PublishRequest]
) -> None:
    workdir = tmp_path / "nested" / "gitops"
    request = make_request(remote=None, workdir=workdir)
    result = publish(request, log=_quiet)

    assert result.commit_sha and not result.pushed
    assert git("symbolic-ref", "HEAD", cwd=workdir) == "refs/heads/main"
    assert git("rev-parse", "main", cwd=workdir) == result.commit_sha
    assert git("remote", cwd=workdir) == ""
    assert git("status", "--porcelain", cwd=workdir) == ""

    before = git.state(workdir)
    assert publish(request, log=_quiet).commit_sha == ""
    assert git.count(workdir) == 1
    assert git.state(workdir) == before


def test_commit_message_and_identity(
    git: Git, remote: Path, make_request: Callable[..., PublishRequest]
) -> None:
    request = make_request(
        source_commit="feedface",
        author_name="Publisher Bot",
        author_email="bot@example.invalid",
    )
    publish(request, log=_quiet)
    message = git("log", "-1", "--format=%B", "main", cwd=remote)
    assert message.splitlines() == [
        "wildside: publish dev (traefik, cert-manager, sources)",
        "",
        "Cluster: dev",
        "Components: traefik, cert-manager",
        "Source-Commit: feedface",
        f"Added: {len(request.files) + 1}",
        "Changed: 0",
        "Removed: 0",
    ]
    identity = git("log", "-1", "--format=%an|%ae|%cn|%ce", "main", cwd=remote)
    assert identity == "Publisher Bot|bot@example.invalid|Publisher Bot|bot@example.invalid"

    changed = dict(request.files)
    changed["platform/traefik/helmrelease.yaml"] = "changed: true\n"
    publish(make_request(files=changed), log=_quiet)
    subject = git("log", "-1", "--format=%s", "main", cwd=remote)
    assert subject == "wildside: publish dev (traefik)"
    assert "Source-Commit: unknown" in git("log", "-1", "--format=%B", "main", cwd=remote)


def test_bytes_written_exactly_and_trees_deterministic(
    tmp_path: Path, git: Git, make_request: Callable[..., PublishRequest]
) -> None:
    files = {
        "clusters/dev/crlf.yaml": "a: 1\r\nb: 2\r\n",
        "clusters/dev/no-newline.yaml": "a: 1",
        "platform/traefik/unicode.yaml": "name: caf\u00e9 \u2603\n",
    }
    first = make_request(remote=None, workdir=tmp_path / "one", files=files)
    second = make_request(
        remote=None, workdir=tmp_path / "two", files=dict(reversed(files.items()))
    )
    publish(first, log=_quiet)
    # A hostile setting in the second workdir must not alter the bytes.
    git("init", "--quiet", "--initial-branch=main", str(second.workdir), cwd=tmp_path)
    git("config", "core.autocrlf", "true", cwd=second.workdir)
    publish(second, log=_quiet)

    trees = {git("rev-parse", "main^{tree}", cwd=r.workdir) for r in (first, second)}
    assert len(trees) == 1
    for path, text in files.items():
        assert git.blob(second.workdir, "main", path) == text.encode()
        assert (second.workdir / path).read_bytes() == text.encode()


def test_dry_run_lists_changes_and_touches_nothing(
    git: Git, remote: Path, make_request: Callable[..., PublishRequest], logs: list[str]
) -> None:
    publish(make_request(), log=_quiet)
    files = dict(make_request().files)
    files["platform/traefik/helmrelease.yaml"] = "# new\n"
    del files["platform/traefik/kustomization.yaml"]
    files["modules/extra.yaml"] = "extra: 1\n"
    request = make_request(files=files, dry_run=True, show_diff=True)
    before = git.state(request.workdir, remote)

    result = publish(request, log=logs.append)

    assert result.commit_sha == ""
    assert not result.pushed
    assert result.added == ("modules/extra.yaml",)
    assert result.changed == (".wildside/ownership/dev.json", "platform/traefik/helmrelease.yaml")
    assert result.removed == ("platform/traefik/kustomization.yaml",)
    assert "+# new\n" in result.diff
    assert "--- /dev/null\n+++ b/modules/extra.yaml" in result.diff
    assert "+++ /dev/null" in result.diff
    assert git.state(request.workdir, remote) == before
    assert git.count(remote) == 1
    assert "dry run: nothing committed or pushed" in logs

    quiet = publish(make_request(files=files, dry_run=True), log=_quiet)
    assert quiet.diff == ""
    assert quiet.changed == result.changed


def test_dry_run_into_missing_workdir_and_empty_remote(
    tmp_path: Path, git: Git, remote: Path, make_request: Callable[..., PublishRequest]
) -> None:
    request = make_request(workdir=tmp_path / "fresh", dry_run=True, show_diff=True)
    result = publish(request, log=_quiet)
    assert len(result.added) == len(request.files) + 1
    assert git("for-each-ref", cwd=remote) == ""
    assert sorted(p.name for p in request.workdir.iterdir()) == [".git"]


def test_stale_workdir_catches_up_and_local_edits_elsewhere_survive(
    tmp_path: Path, git: Git, remote: Path, make_request: Callable[..., PublishRequest]
) -> None:
    publish(make_request(), log=_quiet)
    other = make_request(workdir=tmp_path / "other")
    publish(other, log=_quiet)  # a clone, up to date
    git.seed(remote, {"README.md": "# GitOps\n"})
    (other.workdir / "notes.txt").write_text("untracked, keep me\n")

    result = publish(other, log=_quiet)

    assert result.commit_sha == ""
    assert (other.workdir / "README.md").read_text() == "# GitOps\n"
    assert (other.workdir / "notes.txt").read_text() == "untracked, keep me\n"
    assert git("rev-parse", "main", cwd=other.workdir) == git("rev-parse", "main", cwd=remote)


def test_workdir_cloned_from_another_remote_is_refused(
    tmp_path: Path, git: Git, make_request: Callable[..., PublishRequest]
) -> None:
    request = make_request()
    publish(request, log=_quiet)
    elsewhere = git.bare(tmp_path / "elsewhere.git")
    with pytest.raises(PublishError, match="is a clone of"):
        publish(make_request(remote=str(elsewhere)), log=_quiet)


def test_non_repository_workdir_is_refused(
    tmp_path: Path, make_request: Callable[..., PublishRequest]
) -> None:
    workdir = tmp_path / "busy"
    workdir.mkdir()
    (workdir / "file.txt").write_text("x\n")
    with pytest.raises(PublishError, match="not a git repository"):
        publish(make_request(workdir=workdir), log=_quiet)
    assert sorted(p.name for p in workdir.iterdir()) == ["file.txt"]


def test_signing_follows_git_config(
    tmp_path: Path, git: Git, make_request: Callable[..., PublishRequest]
) -> None:
    fake_gpg = tmp_path / "fake-gpg"
    fake_gpg.write_text(
        "#!/bin/sh\ncat >/dev/null\necho '[GNUPG:] SIG_CREATED ' >&2\n"
        "printf -- '-----BEGIN PGP SIGNATURE-----\\nfake\\n-----END PGP SIGNATURE-----\\n'\n"
    )
    fake_gpg.chmod(0o755)
    workdir = tmp_path / "signed"
    git("init", "--quiet", "--initial-branch=main", str(workdir), cwd=tmp_path)
    git("config", "commit.gpgSign", "true", cwd=workdir)
    git("config", "gpg.program", str(fake_gpg), cwd=workdir)

    publish(make_request(remote=None, workdir=workdir), log=_quiet)
    assert "gpgsig -----BEGIN PGP SIGNATURE-----" in git("cat-file", "commit", "main", cwd=workdir)

    unsigned = make_request(remote=None, workdir=tmp_path / "unsigned")
    publish(unsigned, log=_quiet)
    assert "gpgsig" not in git("cat-file", "commit", "main", cwd=unsigned.workdir)


def test_local_dry_run_creates_nothing(
    tmp_path: Path, make_request: Callable[..., PublishRequest]
) -> None:
    request = make_request(remote=None, workdir=tmp_path / "absent", dry_run=True, show_diff=True)
    result = publish(request, log=_quiet)
    assert len(result.added) == len(request.files) + 1
    assert "+++ b/clusters/dev/kustomization.yaml" in result.diff
    assert not request.workdir.exists()
