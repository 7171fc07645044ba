"""Where encrypted Secrets live in the GitOps repository, and the files that list them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from wildside_ops.secrets.errors import SecretsError

__all__ = ["SECRETS_ROOT", "SOPS_CONFIG", "SecretsLayout", "encrypted_regex"]

SECRETS_ROOT = "platform/secrets/clusters"
SOPS_CONFIG = ".sops.yaml"
# Only the values are encrypted: names, namespaces and labels stay readable in
# review, and Flux can still tell which object a file holds.
_ENCRYPTED_REGEX = "^(data|stringData)$"
_KUSTOMIZATION = "kustomization.yaml"
_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def encrypted_regex() -> str:
    return _ENCRYPTED_REGEX


@dataclass(frozen=True)
class SecretsLayout:
    """One cluster's encrypted-Secret folder inside a GitOps working tree."""

    root: Path
    cluster: str

    @property
    def folder(self) -> Path:
        return self.root / SECRETS_ROOT / self.cluster

    @property
    def relative_folder(self) -> str:
        return f"{SECRETS_ROOT}/{self.cluster}"

    def secret_file(self, namespace: str, name: str) -> Path:
        for field, value in (("--namespace", namespace), ("NAME", name)):
            if not _NAME.match(value) or len(value) > 63:
                raise SecretsError(
                    f"{field}: {value!r} is not a Kubernetes name; use lower-case letters, "
                    "digits and '-', at most 63 characters"
                )
        return self.folder / f"{namespace}.{name}.yaml"

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def secret_files(self) -> list[Path]:
        if not self.folder.is_dir():
            return []
        return sorted(p for p in self.folder.glob("*.yaml") if p.name != _KUSTOMIZATION)

    def path_regex(self) -> str:
        return f"^{re.escape(self.relative_folder)}/[^/]+\\.yaml$"

    def write_kustomization(self) -> Path:
        """List exactly the Secret files present (kustomize needs every resource named)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        document = {
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "resources": [path.name for path in self.secret_files()],
        }
        target = self.folder / _KUSTOMIZATION
        _write_if_changed(target, yaml.safe_dump(document, sort_keys=False))
        return target

    def write_sops_config(self, recipients: Sequence[str]) -> Path:
        """Set this cluster's creation rule in ``.sops.yaml``, keeping other clusters' rules."""
        target = self.root / SOPS_CONFIG
        rules = [
            rule for rule in _read_rules(target) if rule.get("path_regex") != self.path_regex()
        ]
        rules.append(
            {
                "path_regex": self.path_regex(),
                "encrypted_regex": _ENCRYPTED_REGEX,
                "age": ",".join(sorted(recipients)),
            }
        )
        rules.sort(key=lambda rule: str(rule.get("path_regex", "")))
        text = yaml.safe_dump({"creation_rules": rules}, sort_keys=False)
        _write_if_changed(target, text)
        return target


def _read_rules(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise SecretsError(f"{path}: is not valid YAML ({exc}); fix or remove it") from None
    rules = loaded.get("creation_rules", []) if isinstance(loaded, dict) else None
    if not isinstance(rules, list) or not all(isinstance(rule, dict) for rule in rules):
        raise SecretsError(f"{path}: creation_rules must be a list of rules; fix or remove it")
    return rules


def _write_if_changed(path: Path, text: str) -> None:
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
