"""The no-op synth: its key changes with every input, one at a time, and nothing else.

The real CLI runs show that an unchanged synth reuses the output folder without
loading cdktf, byte for byte, and that a changed configuration synthesises again.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import pytest

from app import synth_cache
from app.config.model import WildsideConfig
from app.runtime import PROJECT_ROOT
from tests.conftest import EndToEnd, clean_env, run_app
from tests.support import example_with

STACKS = ("cluster-stack", "platform-stack")
BASE_ENV = {"HOME": "/home/user", "WILDSIDE_GITOPS_BRANCH": "main"}


def _project_copy(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    for name in synth_cache.SOURCE_DIRS:
        shutil.copytree(
            PROJECT_ROOT / name, root / name, ignore=shutil.ignore_patterns("__pycache__")
        )
    for name in synth_cache.PROJECT_FILES:
        shutil.copy2(PROJECT_ROOT / name, root / name)
    schemas = root / "schemas"
    (schemas / "crds").mkdir(parents=True)
    (schemas / "index.json").write_text('{"v1/ConfigMap": "crds/configmap.json"}\n')
    (schemas / "crds" / "configmap.json").write_text('{"type": "object"}\n')
    return root


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_the_key_changes_with_each_input_and_only_with_an_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project_copy(tmp_path)
    outdir = tmp_path / "cdktf.out"
    config = example_with()

    def key(
        cfg: WildsideConfig = config,
        env: dict[str, str] | None = None,
        stacks: tuple[str, ...] = STACKS,
        out: Path = outdir,
    ) -> str:
        environ = BASE_ENV if env is None else env
        return synth_cache.synth_key(cfg, stacks, out, environ, schemas=root / "schemas", root=root)

    base = key()
    # Unchanged inputs give the same key; so do a touched file and unrelated
    # variables (secrets are never part of the key).
    (root / "stacks" / "cluster_stack.py").touch()
    assert key() == base
    assert (
        key(env={**BASE_ENV, "DIGITALOCEAN_TOKEN": "x", "PATH": "/x", "WILDSIDE_PUBLISH": "false"})
        == base
    )

    def edit(path: str) -> Callable[[], None]:
        def change() -> None:
            target = root / path
            target.write_bytes(target.read_bytes() + b"\n# edited\n")

        return change

    changes: dict[str, Callable[[], str]] = {
        "config": lambda: key(example_with({"cluster": {"domain": "other.example.com"}})),
        "an environment override": lambda: key(env={**BASE_ENV, "WILDSIDE_REGION": "ams3"}),
        "the engine name": lambda: key(env={**BASE_ENV, "TERRAFORM_BINARY_NAME": "terraform"}),
        "cdktf's context": lambda: key(env={**BASE_ENV, "CDKTF_CONTEXT_JSON": "{}"}),
        "the stacks selected": lambda: key(stacks=("platform-stack",)),
        "the output folder": lambda: key(out=tmp_path / "elsewhere"),
    }
    for label, changed in changes.items():
        assert changed() != base, label
    assert key() == base
    for path in (
        "stacks/cluster_stack.py",
        "wildside_constructs/registry.py",
        "app/stack_settings.py",
        "app/config/example.toml",
        "uv.lock",
        "schemas/crds/configmap.json",
    ):
        original = (root / path).read_bytes()
        edit(path)()
        assert key() != base, path
        (root / path).write_bytes(original)
        assert key() == base, path
    (root / "wildside_constructs" / "new_construct.py").write_text("X = 1\n")
    assert key() != base, "a new source file"
    (root / "wildside_constructs" / "new_construct.py").unlink()
    real_version = metadata.version
    monkeypatch.setattr(
        metadata,
        "version",
        lambda name: "12.1.2" if name == "cdktf-cdktf-provider-kubernetes" else real_version(name),
    )
    assert key() != base, "an upgraded binding package"


def test_a_record_is_reused_only_while_the_output_folder_is_untouched(tmp_path: Path) -> None:
    environ = {synth_cache.CACHE_ENV: str(tmp_path / "cache")}
    outdir = tmp_path / "out"
    (outdir / "stacks" / "s").mkdir(parents=True)
    stack = outdir / "stacks" / "s" / "cdk.tf.json"
    stack.write_text('{"a": 1}\n')
    (outdir / "manifest.json").write_text("{}\n")
    result = synth_cache.CachedSynth(rendered={"p.yaml": "x: 1\n"}, enabled=("traefik",))
    synth_cache.remember("k1", outdir, result, environ)
    assert synth_cache.lookup("k1", outdir, environ) == result
    assert synth_cache.lookup("k2", outdir, environ) is None
    stack.write_text('{"a": 2}\n')
    assert synth_cache.lookup("k1", outdir, environ) is None
    stack.write_text('{"a": 1}\n')
    (outdir / "extra.json").write_text("{}\n")
    assert synth_cache.lookup("k1", outdir, environ) is None
    (outdir / "extra.json").unlink()
    (outdir / "manifest.json").unlink()
    assert synth_cache.lookup("k1", outdir, environ) is None
    synth_cache.forget(outdir, environ)
    assert not list((tmp_path / "cache").iterdir())


@pytest.mark.slow
def test_an_unchanged_synth_reuses_the_output_without_loading_cdktf(e2e: EndToEnd) -> None:
    # Other tests may have synthesised into this folder with other settings.
    settled = e2e.run("--no-publish")
    assert settled.returncode == 0, settled.stderr
    before = _snapshot(e2e.outdir)
    again = e2e.run("--no-publish")
    assert again.returncode == 0, again.stderr
    assert "reusing" in again.stderr
    assert "loading CDKTF" not in again.stderr
    assert _snapshot(e2e.outdir) == before
    forced = e2e.run("--no-publish", "--no-cache")
    assert forced.returncode == 0, forced.stderr
    assert "loading CDKTF" in forced.stderr
    assert _snapshot(e2e.outdir) == before


@pytest.mark.slow
def test_a_changed_configuration_synthesises_again(tmp_path: Path) -> None:
    outdir = tmp_path / "out"
    env = clean_env(tmp_path, {"XDG_CACHE_HOME": str(tmp_path / "cache")})
    args = ["render", "--no-publish", "--outdir", str(outdir)]
    first = run_app(args, env)
    assert first.returncode == 0, first.stderr
    assert "loading CDKTF" in first.stderr
    rendered = _snapshot(outdir)
    changed = run_app(args, {**env, "WILDSIDE_DOMAIN": "other.example.com"})
    assert changed.returncode == 0, changed.stderr
    assert "loading CDKTF" in changed.stderr
    assert _snapshot(outdir) != rendered
    back = run_app(args, env)
    assert "loading CDKTF" in back.stderr
    assert _snapshot(outdir) == rendered
    reused = run_app(args, env)
    assert "reusing" in reused.stderr
    assert _snapshot(outdir) == rendered
