"""The main job end to end: real synth, real hook, real git remote."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import EndToEnd, git


def _tree(repo: Path) -> set[str]:
    return set(git("ls-tree", "-r", "--name-only", "main", cwd=repo).splitlines())


def test_synth_writes_both_stacks(e2e: EndToEnd) -> None:
    for stack in ("cluster-stack", "platform-stack"):
        assert (e2e.outdir / "stacks" / stack / "cdk.tf.json").is_file()


def test_published_tree_matches_platform_output(e2e: EndToEnd) -> None:
    rendered = e2e.stack_json("platform-stack")["output"]["rendered_manifests"]["value"]
    tree = _tree(e2e.remote)
    assert set(rendered) <= tree
    for path, escaped in rendered.items():
        text = escaped.replace("$${", "${").replace("%%{", "%{")
        assert git("show", f"main:{path}", cwd=e2e.remote) + "\n" == text


def test_tree_has_the_foundation_layout(e2e: EndToEnd) -> None:
    tree = _tree(e2e.remote)
    for path in (
        "clusters/dev/kustomization.yaml",
        "clusters/dev/sources.yaml",
        "clusters/dev/traefik.yaml",
        "platform/sources/traefik/helmrepository.yaml",
        "platform/traefik/namespace.yaml",
        "platform/traefik/helmrelease.yaml",
        "platform/traefik/kustomization.yaml",
    ):
        assert path in tree, path


def test_commit_names_cluster_and_components(e2e: EndToEnd) -> None:
    message = git("log", "-1", "--format=%B", "main", cwd=e2e.remote)
    subject = message.splitlines()[0]
    assert "dev" in subject
    # Every component the first publish added is named, by its GitOps folder.
    for folder in ("traefik", "cert-manager", "external-dns"):
        assert folder in subject, subject


def test_second_run_makes_no_commit_and_writes_nothing(e2e: EndToEnd) -> None:
    before = git("rev-parse", "main", cwd=e2e.remote)
    count = git("rev-list", "--count", "main", cwd=e2e.remote)
    stamps = {p: p.stat().st_mtime_ns for p in e2e.workdir.rglob("*.yaml")}
    again = e2e.run()
    assert again.returncode == 0, again.stderr
    assert git("rev-parse", "main", cwd=e2e.remote) == before
    assert git("rev-list", "--count", "main", cwd=e2e.remote) == count
    assert {p: p.stat().st_mtime_ns for p in e2e.workdir.rglob("*.yaml")} == stamps
    assert "no change" in again.stderr


def test_output_is_byte_identical_across_output_folders(e2e: EndToEnd, tmp_path: Path) -> None:
    other = e2e.root / "second-out"
    run = e2e.run("--no-publish", "--outdir", str(other))
    assert run.returncode == 0, run.stderr
    for stack in ("cluster-stack", "platform-stack"):
        first = (e2e.outdir / "stacks" / stack / "cdk.tf.json").read_bytes()
        second = (other / "stacks" / stack / "cdk.tf.json").read_bytes()
        assert first == second, stack


def test_files_are_lf_with_trailing_newline(e2e: EndToEnd) -> None:
    for path in e2e.workdir.rglob("*.yaml"):
        data = path.read_bytes()
        assert data.endswith(b"\n") and b"\r" not in data, path


def test_progress_is_reported(e2e: EndToEnd) -> None:
    assert "synthesising" in e2e.first.stderr
    assert "publishing" in e2e.first.stderr


def test_dry_run_previews_without_committing(e2e: EndToEnd, tmp_path: Path) -> None:
    before = git("rev-parse", "main", cwd=e2e.remote)
    result = tmp_path / "result.json"
    env = {**e2e.env, "WILDSIDE_ENABLE_EXTERNAL_DNS": "false"}
    from tests.conftest import run_app

    run = run_app(
        [
            "synth",
            "--outdir",
            str(tmp_path / "out"),
            "--dry-run",
            "--diff",
            "--result-json",
            str(result),
        ],
        env,
    )
    assert run.returncode == 0, run.stderr
    outcome = json.loads(result.read_text())
    assert outcome["commit_sha"] == ""
    assert outcome["dry_run"] is True
    removed = set(outcome["removed"])
    assert "clusters/dev/external-dns.yaml" in removed
    assert "platform/external-dns/helmrelease.yaml" in removed
    assert not any("traefik" in path for path in removed)
    assert "removed  clusters/dev/external-dns.yaml" in run.stdout
    assert "-kind: HelmRelease" in run.stdout
    assert git("rev-parse", "main", cwd=e2e.remote) == before


def test_result_json_reports_commit_and_count(e2e: EndToEnd, tmp_path: Path) -> None:
    result = tmp_path / "result.json"
    run = e2e.run("--result-json", str(result))
    assert run.returncode == 0, run.stderr
    outcome = json.loads(result.read_text())
    assert outcome["commit_sha"] == ""  # nothing changed since the first run
    rendered = e2e.stack_json("platform-stack")["output"]["manifest_count"]["value"]
    assert outcome["manifest_count"] == rendered
