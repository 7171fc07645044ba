"""Staging and production clusters apply their environment's promoted copy of platform/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from app.config import environments as presets
from app.post_synth import awaiting_promotion
from app.runtime import PROJECT_ROOT
from tests.conftest import clean_env, run_app
from tests.platform.test_sops import RECIPIENT
from tests.support import SCHEMAS, config, example_with, render_platform
from tests.validation.trees import kustomize_build, write_tree
from wildside_constructs.promotion import ENVIRONMENTS, platform_root
from wildside_constructs.validation.__main__ import main as validation_main
from wildside_constructs.validation.disk import check_tree

EXAMPLES = PROJECT_ROOT / "app" / "config" / "examples"
KUBECTL = shutil.which("kubectl")


def rendered_for(environment: str) -> dict[str, str]:
    cfg = config(path=EXAMPLES / f"{environment}.toml")
    return dict(render_platform(cfg, schemas=False).rendered)


def flux_paths(rendered: dict[str, str], cluster: str) -> dict[str, str]:
    """Unit name -> spec.path of each Flux Kustomization read from this repository."""
    found: dict[str, str] = {}
    for path, text in rendered.items():
        if not path.startswith(f"clusters/{cluster}/") or path.count("/") != 2:
            continue
        document = yaml.safe_load(text)
        spec = document.get("spec", {}) if document.get("kind") == "Kustomization" else {}
        if spec.get("sourceRef", {}).get("name") == "flux-system" and "path" in spec:
            found[document["metadata"]["name"]] = spec["path"]
    return found


def test_the_presets_file_defines_exactly_the_environments_in_promotion_order() -> None:
    assert tuple(presets.presets()) == ENVIRONMENTS


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_each_cluster_applies_its_environments_platform(environment: str) -> None:
    rendered = rendered_for(environment)
    paths = flux_paths(rendered, environment)
    root = platform_root(environment)
    assert paths, "the example renders Flux Kustomizations"
    for unit, path in paths.items():
        if unit != "sources":  # the cluster's own selection, clusters/<cluster>/sources
            assert path.startswith(f"./{root}/"), (unit, path)
    sources = yaml.safe_load(rendered[f"clusters/{environment}/sources/kustomization.yaml"])
    assert sources["resources"]
    assert all(base.startswith(f"../../../{root}/sources/") for base in sources["resources"])
    # What is rendered (and published) stays the one shared platform/.
    assert not any(path.startswith("environments/") for path in rendered)


def test_sandbox_keeps_reading_platform_and_secrets_are_never_promoted() -> None:
    assert platform_root("sandbox") == "platform"
    cfg = example_with(
        {
            "cluster": {"environment": "production"},
            "components": {"sops": True},
            "sops": {"age_recipients": [RECIPIENT]},
        }
    )
    rendered = dict(render_platform(cfg, schemas=False).rendered)
    paths = flux_paths(rendered, cfg.cluster.name)
    unpromoted = [p for p in paths.values() if p.startswith("./platform/")]
    assert unpromoted == [f"./platform/secrets/clusters/{cfg.cluster.name}"]
    assert paths["sops-age-key"] == "./environments/production/platform/secrets/age-key"


def _unpromoted(folder: str, source: Path) -> list[str]:
    return ["clusters"] if Path(folder) == source / "secrets" else []


def promote(checkout: Path, environment: str) -> None:
    """What a promotion leaves in the checkout: the earlier environment's copy."""
    earlier = ENVIRONMENTS[ENVIRONMENTS.index(environment) - 1]
    source = checkout / platform_root(earlier)
    target = checkout / platform_root(environment)
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target, ignore=lambda folder, _names: _unpromoted(folder, source))


def test_a_checkout_awaiting_promotion_is_valid_and_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox, staging = rendered_for("sandbox"), rendered_for("staging")
    checkout = write_tree(tmp_path / "gitops", {**sandbox, **staging})
    # Before promotion nothing is wrong with the tree: Flux waits for the folder.
    _count, problems = check_tree(checkout, SCHEMAS)
    assert problems == []
    waiting = awaiting_promotion(staging, checkout)
    promoted = {
        u for u, p in flux_paths(staging, "staging").items() if p != "./clusters/staging/sources"
    }
    assert set(waiting) == promoted
    assert awaiting_promotion(sandbox, checkout) == []

    code = validation_main(["--no-schemas", str(checkout)])
    notes = [line for line in capsys.readouterr().err.splitlines() if line.startswith("note: ")]
    assert code == 0
    assert "note: clusters/staging/traefik.yaml: environments/staging/platform/traefik awaits" in (
        "\n".join(notes)
    )
    assert len(notes) == len(promoted)

    promote(checkout, "staging")
    assert awaiting_promotion(staging, checkout) == []
    # Now the staging cluster's values are checked against the promoted copy.
    _count, problems = check_tree(checkout, SCHEMAS)
    assert problems == []


def test_a_promoted_copy_missing_a_value_the_cluster_no_longer_sets_is_caught(
    tmp_path: Path,
) -> None:
    if SCHEMAS is None:
        pytest.skip("needs the upstream schemas for the substitution check")
    staging = rendered_for("staging")
    checkout = write_tree(tmp_path / "gitops", staging)
    promote(checkout, "staging")
    release = checkout / platform_root("staging") / "traefik" / "helmrelease.yaml"
    text = release.read_text().replace(
        "metadata:\n", "metadata:\n  annotations: {note: ${renamed_variable}}\n", 1
    )
    release.write_text(text, encoding="utf-8")
    _count, problems = check_tree(checkout, SCHEMAS)
    assert any(
        "renamed_variable" in p.message and p.field.startswith("environments/staging/")
        for p in problems
    ), problems


@pytest.mark.skipif(KUBECTL is None, reason="kubectl (with its built-in kustomize) is not on PATH")
def test_kustomize_builds_the_promoted_sources_and_units(tmp_path: Path) -> None:
    production = rendered_for("production")
    checkout = write_tree(tmp_path / "gitops", production)
    before = kustomize_build(checkout, "clusters/production/sources")
    assert before.returncode != 0, "no promoted copy yet: the sources cannot build"
    promote(checkout, "staging")
    promote(checkout, "production")
    built = kustomize_build(checkout, "clusters/production/sources")
    assert built.returncode == 0, built.stderr
    assert "kind: HelmRepository" in built.stdout
    for unit, path in flux_paths(production, "production").items():
        if unit in {"traefik", "cnpg-cluster"}:
            folder = kustomize_build(checkout, path.removeprefix("./"))
            assert folder.returncode == 0, (unit, folder.stderr)


def test_publishing_a_staging_cluster_says_what_awaits_promotion(tmp_path: Path) -> None:
    gitops = tmp_path / "gitops"
    env = clean_env(
        tmp_path,
        {"WILDSIDE_CONFIG": str(EXAMPLES / "staging.toml"), "WILDSIDE_GITOPS_DIR": str(gitops)},
    )
    done = run_app(["render", "--outdir", str(tmp_path / "out")], env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "await promotion" in done.stderr
    assert "`wildside promote --from sandbox --to staging`" in done.stderr
    # The publish wrote the shared definitions and the cluster, never a promoted copy.
    assert (gitops / "platform" / "traefik").is_dir()
    assert not (gitops / "environments").exists()
