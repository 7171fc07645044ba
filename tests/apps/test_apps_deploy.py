"""Deploy, re-deploy, tear down and list previews against a real bare remote."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.apps.conftest import Apps, images, sha
from tests.conftest import git
from tests.support import NO_SCHEMAS_REASON, SCHEMAS
from wildside_constructs.yamlout import load

EPHEMERAL = "overlays/ephemeral"


def _build(folder: Path) -> list[dict[str, Any]]:
    built = subprocess.run(
        ["kubectl", "kustomize", str(folder)], capture_output=True, text=True, check=False
    )
    assert built.returncode == 0, built.stderr
    return [doc for doc in yaml.safe_load_all(built.stdout) if doc]


def _schema_problems(docs: list[dict[str, Any]], where: str) -> list[str]:
    assert SCHEMAS is not None
    return [str(p) for doc in docs for p in SCHEMAS.problems(where, doc)]


@pytest.mark.skipif(SCHEMAS is None, reason=NO_SCHEMAS_REASON)
def test_deploy_renders_a_tree_whose_every_folder_builds_and_validates(
    apps: Apps, tmp_path: Path
) -> None:
    assert apps.deploy(12, sha(1)).returncode == 0
    assert apps.deploy(7, sha(2)).returncode == 0
    tree = apps.checkout(tmp_path / "tree")
    folders = ["base", "overlays/production", "overlays/staging", EPHEMERAL]
    folders += [f"{EPHEMERAL}/pr-12", f"{EPHEMERAL}/pr-7"]
    kinds: set[str] = set()
    for folder in folders:
        docs = _build(tree / folder)
        assert docs, folder
        assert _schema_problems(docs, folder) == []
        kinds |= {doc["kind"] for doc in docs}
    # Every file in the repository that is a Kubernetes document validates too.
    for path in tree.rglob("*.yaml"):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc and doc.get("apiVersion") != "kustomize.config.k8s.io/v1beta1":
                if "spec" in doc and doc["kind"] == "HelmRelease" and "patch" in path.name:
                    continue  # a patch is a fragment, validated once applied (above)
                assert _schema_problems([doc], str(path)) == []
    assert {"Namespace", "ResourceQuota", "LimitRange", "NetworkPolicy", "Database"} <= kinds
    assert {"ExternalSecret", "Password", "SecretStore", "HelmRelease", "OCIRepository"} <= kinds
    listing = load((tree / EPHEMERAL / "kustomization.yaml").read_text())
    assert listing["resources"] == ["pr-7", "pr-12"]


def test_preview_is_isolated_and_wired(apps: Apps, tmp_path: Path) -> None:
    assert apps.deploy(12, sha(1)).returncode == 0
    docs = _build(apps.checkout(tmp_path / "tree") / EPHEMERAL / "pr-12")
    by_kind = {(d["kind"], d["metadata"]["name"]): d for d in docs}
    release = by_kind[("HelmRelease", "wildside")]
    assert release["metadata"]["namespace"] == "pr-12"
    values = release["spec"]["values"]
    assert values["ingress"]["host"] == "pr-12.previews.dev.example.com"
    assert values["images"]["backend"] == {
        "repository": "ghcr.io/example/backend",
        "tag": sha(1),
        "digest": "sha256:" + "a" * 64,
    }
    assert values["database"]["secretName"] == "app-database"
    database = by_kind[("Database", "pr-12")]
    assert database["metadata"]["namespace"] == "databases"
    assert database["spec"]["databaseReclaimPolicy"] == "delete"
    assert database["spec"]["owner"] == "pr_12"
    assert "template" not in database["spec"]
    policy = by_kind[("NetworkPolicy", "ingress-and-own-namespace-only")]["spec"]
    sources = policy["ingress"][0]["from"]
    assert {"podSelector": {}} in sources
    assert sources[1]["namespaceSelector"]["matchLabels"] == {
        "kubernetes.io/metadata.name": "traefik"
    }
    connection = by_kind[("ExternalSecret", "app-database")]["spec"]["target"]["template"]
    assert set(connection["data"]) >= {"host", "port", "database", "user", "password"}
    app_secrets = by_kind[("ExternalSecret", "app-secrets")]["spec"]
    assert app_secrets["dataFrom"] == [{"extract": {"key": "wildside/apps/wildside/previews"}}]
    quota = by_kind[("ResourceQuota", "preview")]["spec"]["hard"]
    assert quota["limits.cpu"] == "2" and quota["pods"] == "20"


def test_seed_template_creates_the_database_from_it(apps: Apps, tmp_path: Path) -> None:
    apps.configure([('seed_template = ""', 'seed_template = "wildside_seed"')])
    assert apps.deploy(4, sha(1)).returncode == 0
    docs = _build(apps.checkout(tmp_path / "tree") / EPHEMERAL / "pr-4")
    database = next(d for d in docs if d["kind"] == "Database")
    assert database["spec"]["template"] == "wildside_seed"


def test_same_sha_makes_no_commit_and_a_new_sha_one_touching_only_its_overlay(
    apps: Apps,
) -> None:
    assert apps.deploy(3, sha(1)).returncode == 0
    assert apps.deploy(5, sha(1)).returncode == 0
    before = apps.commits()
    again = apps.deploy(5, sha(1))
    assert again.returncode == 0, again.stderr
    assert apps.commits() == before
    assert "already deployed" in again.stderr
    assert apps.deploy(5, sha(2)).returncode == 0
    assert apps.commits() == before + 1
    changed = git("diff", "--name-only", "main~1", "main", cwd=apps.remote).splitlines()
    assert changed and all(path.startswith(f"{EPHEMERAL}/pr-5/") for path in changed)
    message = git("log", "-1", "--format=%s", "main", cwd=apps.remote)
    assert message.startswith("wildside app: deploy pr-5 at ")


def test_teardown_removes_the_overlay_and_its_entry_and_is_idempotent(apps: Apps) -> None:
    assert apps.deploy(3, sha(1)).returncode == 0
    assert apps.deploy(9, sha(1)).returncode == 0
    first = apps.run("teardown", "--pr", "3")
    assert first.returncode == 0, first.stderr
    files = apps.files()
    assert not [path for path in files if path.startswith(f"{EPHEMERAL}/pr-3/")]
    assert f"{EPHEMERAL}/pr-9/kustomization.yaml" in files
    listing = load(git("show", f"main:{EPHEMERAL}/kustomization.yaml", cwd=apps.remote))
    assert listing["resources"] == ["pr-9"]
    count = apps.commits()
    second = apps.run("teardown", "--pr", "3")
    assert second.returncode == 0 and "nothing to do" in second.stderr
    assert apps.commits() == count
    never = apps.run("teardown", "--pr", "404")
    assert never.returncode == 0 and apps.commits() == count


def test_list_prints_pr_sha_age_and_url(apps: Apps) -> None:
    env = {"WILDSIDE_NOW": "2026-11-01T10:00:00Z"}
    deployed = apps.run("deploy", "--pr", "8", "--sha", sha(8), *images(sha(8)), env=env)
    assert deployed.returncode == 0
    listed = apps.run("list", env={"WILDSIDE_NOW": "2026-11-03T13:30:00Z"})
    assert listed.returncode == 0, listed.stderr
    row = listed.stdout.splitlines()[1].split()
    assert row == ["8", sha(8)[:12], "2d3h", "https://pr-8.previews.dev.example.com"]


def test_preview_limit_names_the_limit_and_the_oldest(apps: Apps) -> None:
    apps.configure([("max_previews = 20", "max_previews = 2")])
    assert (
        apps.run(
            "deploy",
            "--pr",
            "1",
            "--sha",
            sha(1),
            *_imgs(1),
            env={"WILDSIDE_NOW": "2026-11-01T10:00:00Z"},
        ).returncode
        == 0
    )
    assert (
        apps.run(
            "deploy",
            "--pr",
            "2",
            "--sha",
            sha(2),
            *_imgs(2),
            env={"WILDSIDE_NOW": "2026-11-02T10:00:00Z"},
        ).returncode
        == 0
    )
    count = apps.commits()
    refused = apps.deploy(3, sha(3))
    assert refused.returncode == 1
    assert "apps.max_previews is 2" in refused.stderr
    assert "pr-1 (updated 2026-11-01T10:00:00Z), pr-2" in refused.stderr
    assert apps.commits() == count
    # An open preview can still be updated at the limit.
    assert apps.deploy(2, sha(22)).returncode == 0
    assert apps.commits() == count + 1


def _imgs(seed: int) -> list[str]:
    return images(sha(seed))


def test_app_commands_never_load_cdktf_or_provider_bindings(apps: Apps) -> None:
    probe = (
        "import sys\n"
        "from app.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'cdktf', 'jsii', 'constructs', 'imports', 'cdktf_cdktf_provider_digitalocean', "
        "'cdktf_cdktf_provider_kubernetes', 'github'})\n"
        "print('HEAVY', heavy)\n"
        "sys.exit(code)\n"
    )
    for args in (["app", "deploy", "--pr", "6", "--sha", sha(6), *_imgs(6)], ["app", "list"]):
        done = subprocess.run(
            [sys.executable, "-c", probe, *args],
            cwd=Path(__file__).resolve().parents[2],
            env=apps.env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert "HEAVY []" in done.stdout
