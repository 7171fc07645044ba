"""Each component's construct built alone with its defaults, compared with a snapshot.

In the style of cdk8s' construct tests: no stack, no configuration file, just
the construct, its settings class's defaults and a cluster context; every file
it renders, its units' wiring and its contract are compared with
``tests/platform/snapshots/<key>.yaml``. A change to what a construct renders
shows up here as a readable diff.

Update the snapshots after an intended change, then review ``git diff``::

    WILDSIDE_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/platform/test_snapshots.py
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from pathlib import Path
from typing import Any

import pytest

from tests.support import scratch_app
from wildside_constructs.model import ClusterContext
from wildside_constructs.registry import COMPONENTS, ComponentSpec
from wildside_constructs.yamlout import dump

SNAPSHOTS = Path(__file__).with_name("snapshots")
UPDATE = os.environ.get("WILDSIDE_UPDATE_SNAPSHOTS") == "1"
# Settings with no usable default (required while the component is enabled).
REQUIRED: dict[str, dict[str, Any]] = {
    "vault_eso": {"address": "https://vault.example.com"},
    "sops": {"age_recipients": ("age1872xyafd3ejyku9en0375fq2a432pyqmm6pz6e4e640z248zeu3sr99kn9",)},
}
CONTEXT = ClusterContext(
    name="snap",
    environment="dev",
    domain="snap.example.com",
    acme_email="ops@example.com",
    enabled=tuple(spec.key for spec in COMPONENTS),
)


def snapshot_text(spec: ComponentSpec) -> str:
    from cdktf import TerraformStack

    settings = dataclasses.replace(spec.settings(), **REQUIRED.get(spec.key, {}))
    stack = TerraformStack(scratch_app(), "alone")
    component = spec.construct_class()(stack, spec.key, context=CONTEXT, settings=settings)
    parts = [f"# {spec.key}: the construct alone, default settings, cluster {CONTEXT.name}\n"]
    for unit in component.units:
        wiring = {
            "unit": unit.name,
            "folder": unit.folder,
            "depends_on": list(unit.depends_on),
            "variables": unit.variables,
        }
        parts.append("---\n" + dump(wiring))
        for path, document in sorted(unit.files().items()):
            parts.append(f"--- # {path}\n" + dump(document))
    parts.append("--- # contract\n" + dump(component.contract()))
    return "".join(parts)


def test_every_snapshot_belongs_to_a_registered_component() -> None:
    keys = {spec.key for spec in COMPONENTS}
    stale = sorted(p.name for p in SNAPSHOTS.glob("*.yaml") if p.stem not in keys)
    assert not stale, f"snapshots of no registered component: {stale}; delete them"


@pytest.mark.parametrize("spec", COMPONENTS, ids=lambda spec: spec.key)
def test_the_construct_alone_renders_its_snapshot(spec: ComponentSpec) -> None:
    text = snapshot_text(spec)
    path = SNAPSHOTS / f"{spec.key}.yaml"
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"no snapshot {path.name}: run WILDSIDE_UPDATE_SNAPSHOTS=1 (module doc)"
    stored = path.read_text(encoding="utf-8")
    diff = "".join(
        difflib.unified_diff(
            stored.splitlines(keepends=True), text.splitlines(keepends=True), path.name, "now"
        )
    )
    assert text == stored, f"{spec.key} renders differently (update if intended):\n{diff}"
