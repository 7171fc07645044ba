"""Follow docs/adding-a-component.md on a copy of the project, with a dummy component.

The page lists the files to touch; this test touches exactly those in a copy and
proves the component is then configurable, switchable by environment variable and
by action input, and rendered into the GitOps tree, and that the hand-written
lists' checks fail until their step is done.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.runtime import PROJECT_ROOT
from tests.conftest import GIT_ENV
from tests.registry_checks import action_problems, example_problems
from wildside_constructs.registry import COMPONENTS
from wildside_constructs.validation.schemas import SCHEMA_DIR_ENV, schema_dir

PAGE = PROJECT_ROOT / "docs" / "adding-a-component.md"
KEY = "dummy"
PACKAGES = ("app", "stacks", "wildside_constructs", "wildside_ops")
ACTION = ".github/actions/wildside-infra-k8s/action.yml"

SETTINGS = '''\
"""Dummy: a test component."""

from __future__ import annotations

from dataclasses import dataclass

from wildside_constructs.problems import Problem


@dataclass(frozen=True)
class DummySettings:
    replicas: int = 1

    def problems(self, where: str) -> list[Problem]:
        if self.replicas < 1:
            return [Problem(f"{where}.replicas", "must be at least 1; raise it")]
        return []

    def requires(self) -> dict[str, str]:
        return {}


@dataclass(frozen=True)
class DummyContract:
    namespace: str
'''

CONSTRUCT = '''\
"""Dummy: podinfo from its chart, as a test component."""

from __future__ import annotations

from typing import Any

from constructs import Construct

from wildside_constructs.model import ClusterContext, HelmSource
from wildside_constructs.platform.component import PlatformComponent, contract_output
from wildside_constructs.platform.operator import operator_unit
from wildside_constructs.settings.dummy import DummyContract, DummySettings

SOURCE = HelmSource(name="podinfo", url="https://stefanprodan.github.io/podinfo")


class Dummy(PlatformComponent):
    def __init__(
        self, scope: Construct, id: str, *, context: ClusterContext, settings: DummySettings
    ) -> None:
        super().__init__(scope, id, context=context, settings=settings)
        self.dummy_contract = DummyContract(namespace="dummy")
        self.add_unit(
            operator_unit(
                name="dummy",
                folder=self.folder,
                namespaces=("dummy",),
                release="podinfo",
                chart="podinfo",
                version="6.9.2",
                source=self.use_source(SOURCE),
                values={"replicaCount": "${dummy_replicas}"},
                part_of="dummy",
                variables={"dummy_replicas": str(settings.replicas)},
            )
        )

    def contract(self) -> dict[str, Any]:
        return contract_output(self.dummy_contract)
'''

ENTRY = """\
    ComponentSpec(
        key="dummy",
        folder="dummy-app",
        title="Dummy (podinfo)",
        settings=DummySettings,
        construct="wildside_constructs.platform.dummy:Dummy",
    ),
"""

ACTION_INPUT = """\
  enable_dummy:
    description: Render the dummy component.
    required: false
    default: "true"
"""


def listed_files() -> list[str]:
    """The paths the page's "Files to touch" list names, for this key."""
    text = PAGE.read_text(encoding="utf-8")
    section = text.split("## Files to touch", 1)[1].split("\n## ", 1)[0]
    paths = re.findall(r"^\d+\. `([^`]+)`", section, flags=re.MULTILINE)
    return [path.replace("<key>", KEY) for path in paths]


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def insert(path: Path, anchor: str, text: str) -> None:
    """Put ``text`` just before the one occurrence of ``anchor``."""
    content = path.read_text(encoding="utf-8")
    assert content.count(anchor) == 1, f"{path}: anchor {anchor!r} not unique"
    path.write_text(content.replace(anchor, f"{text}{anchor}"), encoding="utf-8")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("added") / "project"
    for package in PACKAGES:
        shutil.copytree(
            PROJECT_ROOT / package, root / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    (root / ACTION).parent.mkdir(parents=True)
    shutil.copy2(PROJECT_ROOT / ACTION, root / ACTION)
    (root / "node_modules").symlink_to(PROJECT_ROOT / "node_modules")
    return root


def run(project: Path, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("WILDSIDE_", "CDKTF_"))}
    found = schema_dir()
    if found is not None:
        base[SCHEMA_DIR_ENV] = str(found)
    return subprocess.run(
        [sys.executable, *args],
        cwd=project,
        env={**base, **GIT_ENV, "PYTHONPATH": str(project), **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_the_page_lists_what_a_new_component_needs_and_nothing_more(
    project: Path, tmp_path: Path
) -> None:
    before = snapshot(project)
    keys = [spec.key for spec in COMPONENTS] + [KEY]
    off = {spec.key for spec in COMPONENTS if not spec.enabled_by_default}
    example, action = project / "app/config/example.toml", project / ACTION

    # 1-3: settings, construct, registration.
    (project / "wildside_constructs/settings/dummy.py").write_text(SETTINGS, encoding="utf-8")
    (project / "wildside_constructs/platform/dummy.py").write_text(CONSTRUCT, encoding="utf-8")
    registry = project / "wildside_constructs/registry.py"
    insert(
        registry,
        "\n\nif TYPE_CHECKING:",
        "\nfrom wildside_constructs.settings.dummy import DummySettings",
    )
    insert(registry, ")\n\nBY_KEY", ENTRY)
    # The hand-written lists' checks name what is still missing ...
    assert example_problems(example, keys, off) == [
        "[components] has no `dummy = true`",
        "no [dummy] table documents its settings",
    ]
    assert action_problems(action, keys, off) == [
        "input enable_dummy is missing",
        "step prepare does not pass INPUT_ENABLE_DUMMY: ${{ inputs.enable_dummy }}",
    ]
    # ... until steps 4 and 5 are done.
    insert(example, "\n[traefik]\n", "dummy = true\n\n[dummy]\nreplicas = 2\n")
    insert(action, "  allow_destroy:\n", ACTION_INPUT)
    insert(
        action,
        "        INPUT_ALLOW_DESTROY:",
        "        INPUT_ENABLE_DUMMY: ${{ inputs.enable_dummy }}\n",
    )
    assert example_problems(example, keys, off) == []
    assert action_problems(action, keys, off) == []

    after = snapshot(project)
    touched = sorted(path for path in after if before.get(path) != after[path])
    assert touched == sorted(listed_files())

    # Configuration: the [dummy] table is read and checked; the switch and env follow.
    shown = run(project, ["-m", "app", "config"], {})
    assert shown.returncode == 0, shown.stderr
    config = json.loads(shown.stdout)
    assert config["components"]["dummy"] is True
    assert config["settings"]["dummy"] == {"replicas": 2}
    off = run(project, ["-m", "app", "config"], {"WILDSIDE_ENABLE_DUMMY": "false"})
    assert json.loads(off.stdout)["components"]["dummy"] is False
    bad = tmp_path / "bad.toml"
    bad.write_text(example.read_text().replace("replicas = 2", "replicas = 0"), encoding="utf-8")
    refused = run(project, ["-m", "app", "config"], {"WILDSIDE_CONFIG": str(bad)})
    assert refused.returncode == 2
    assert "dummy.replicas: must be at least 1; raise it" in refused.stderr + refused.stdout

    # Its typed contract is importable by name, as the page says.
    imported = run(
        project,
        ["-c", "from wildside_constructs.settings import DummyContract; print(DummyContract)"],
        {},
    )
    assert "wildside_constructs.settings.dummy.DummyContract" in imported.stdout, imported.stderr

    # The action's input sets the same switch.
    script = textwrap.dedent(
        """
        import json, pathlib
        from wildside_ops.action.inputs import config_overrides
        problems = []
        env = config_overrides({"enable_dummy": "false"}, None, pathlib.Path("w"), {}, problems)
        print(json.dumps([env.get("WILDSIDE_ENABLE_DUMMY"), [str(p) for p in problems]]))
        """
    )
    mapped = run(project, ["-c", script], {})
    assert json.loads(mapped.stdout) == ["false", []], mapped.stderr

    # Rendered and published under its registered folder, with its own Flux Kustomization.
    gitops, outdir = tmp_path / "gitops", tmp_path / "cdktf.out"
    rendered = run(
        project,
        ["-m", "app", "render", "--outdir", str(outdir)],
        {"WILDSIDE_GITOPS_DIR": str(gitops)},
    )
    assert rendered.returncode == 0, rendered.stderr + rendered.stdout
    assert (gitops / "platform/dummy-app/helmrelease.yaml").is_file()
    assert (gitops / "platform/sources/podinfo/helmrepository.yaml").is_file()
    kustomization = (gitops / "clusters/dev/dummy.yaml").read_text(encoding="utf-8")
    assert "path: ./platform/dummy-app" in kustomization
    assert "dummy_replicas: '2'" in kustomization
    assert "app.kubernetes.io/part-of: dummy-app" in kustomization
    stack = json.loads((outdir / "stacks/platform-stack/cdk.tf.json").read_text())
    assert stack["output"]["dummy_contract"]["value"] == {"namespace": "dummy"}
    assert "dummy" in stack["output"]["enabled_components"]["value"]
