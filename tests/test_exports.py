"""Package exports show a library user what to import, and cost nothing until used."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from app.runtime import PROJECT_ROOT
from wildside_constructs.registry import COMPONENTS

PACKAGES = (
    "wildside_constructs",
    "wildside_constructs.settings",
    "wildside_constructs.platform",
    "wildside_constructs.cluster",
)


@pytest.mark.parametrize("package", PACKAGES)
def test_every_exported_name_resolves(package: str) -> None:
    module = importlib.import_module(package)
    names = dir(module)
    assert names, f"{package} exports nothing"
    for name in names:
        assert getattr(module, name) is not None
    with pytest.raises(AttributeError):
        module.NoSuchThing  # noqa: B018 - the lookup is the test


def test_every_registered_component_is_importable_by_name() -> None:
    platform = importlib.import_module("wildside_constructs.platform")
    settings = importlib.import_module("wildside_constructs.settings")
    for spec in COMPONENTS:
        assert getattr(settings, spec.settings.__name__) is spec.settings
        assert getattr(platform, spec.construct.partition(":")[2]) is spec.construct_class()


def test_importing_the_packages_and_settings_loads_no_jsii() -> None:
    script = (
        "import sys\n"
        "import wildside_constructs, wildside_constructs.platform, wildside_constructs.cluster\n"
        "from wildside_constructs.settings import CnpgSettings, StateSettings\n"
        "from wildside_constructs import COMPONENTS, SettingsError\n"
        "print(sorted(m for m in ('cdktf', 'constructs', 'jsii') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert done.stdout.strip() == "[]"
