"""``wildside secrets set|edit|rotate|check`` on one cluster's encrypted-Secret folder."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from wildside_constructs.validation.sops import age_recipients, is_sops_encrypted, plaintext_fields
from wildside_ops.secrets.errors import SecretsError
from wildside_ops.secrets.layout import SOPS_CONFIG, SecretsLayout
from wildside_ops.secrets.sopsbin import KEY_ENV, run_sops

__all__ = ["SecretsContext", "check", "edit", "rotate", "set_values"]

Log = Callable[[str], None]
_YAML = ("--input-type", "yaml", "--output-type", "yaml")


@dataclass(frozen=True)
class SecretsContext:
    layout: SecretsLayout
    recipients: tuple[str, ...]

    @property
    def sops_config(self) -> Path:
        return self.layout.root / SOPS_CONFIG


def _require_key(action: str) -> None:
    if not any(os.environ.get(name) for name in KEY_ENV):
        raise SecretsError(
            f"{action} needs the cluster's age private key: set SOPS_AGE_KEY_FILE to a file "
            "holding it (or SOPS_AGE_KEY to the key); it is stored in Vault at [sops] vault_path"
        )


def _decrypt(context: SecretsContext, path: Path) -> dict[str, Any]:
    _require_key(f"changing {context.layout.relative(path)}")
    relative = context.layout.relative(path)
    out = run_sops(
        "decrypt",
        [*_YAML, "--filename-override", relative],
        config=context.sops_config,
        cwd=context.layout.root,
        stdin=path.read_bytes(),
    )
    loaded = yaml.safe_load(out)
    if not isinstance(loaded, dict):
        raise SecretsError(
            f"{relative}: does not hold one Secret; fix it with `wildside secrets edit`"
        )
    return loaded


def _encrypt(context: SecretsContext, path: Path, document: Mapping[str, Any]) -> None:
    relative = context.layout.relative(path)
    plaintext = yaml.safe_dump(dict(document), sort_keys=False).encode()
    out = run_sops(
        "encrypt",
        [*_YAML, "--filename-override", relative],
        config=context.sops_config,
        cwd=context.layout.root,
        stdin=plaintext,
    )
    encrypted = yaml.safe_load(out)
    # Belt and braces: never write a file the check would refuse.
    if not isinstance(encrypted, dict) or not is_sops_encrypted(encrypted):
        raise SecretsError(f"sops did not encrypt every value of {relative}", exit_code=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(out)
    temporary.replace(path)


def set_values(
    context: SecretsContext, namespace: str, name: str, values: Mapping[str, str], log: Log
) -> Path:
    """Create the Secret or change ``values`` in it; other keys are kept."""
    if not values:
        raise SecretsError(
            "give at least one value: --from-literal, --from-file, --from-env or --from-stdin"
        )
    path = context.layout.secret_file(namespace, name)
    context.layout.write_sops_config(context.recipients)
    if path.exists():
        document = _decrypt(context, path)
        document.pop("sops", None)
        data = dict(document.get("stringData") or {})
        data.update(values)
        document["stringData"] = data
    else:
        document = {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": name, "namespace": namespace},
            "type": "Opaque",
            "stringData": dict(values),
        }
    _encrypt(context, path, document)
    context.layout.write_kustomization()
    keys = ", ".join(sorted(values))
    log(f"encrypted {context.layout.relative(path)} ({keys}); review and commit it")
    return path


def edit(context: SecretsContext, namespace: str, name: str, log: Log) -> Path:
    path = context.layout.secret_file(namespace, name)
    if not path.exists():
        raise SecretsError(
            f"{context.layout.relative(path)} does not exist; create it with `wildside secrets set`"
        )
    _require_key("edit")
    context.layout.write_sops_config(context.recipients)
    run_sops(
        "edit", [str(path)], config=context.sops_config, cwd=context.layout.root, interactive=True
    )
    problems = _file_problems(context, path)
    if problems:
        raise SecretsError("; ".join(problems), exit_code=1)
    log(f"edited {context.layout.relative(path)}; review and commit it")
    return path


def rotate(context: SecretsContext, log: Log) -> list[Path]:
    """Re-encrypt every file to the current recipients, under a fresh data key."""
    files = context.layout.secret_files()
    if not files:
        log(f"no encrypted Secrets under {context.layout.relative_folder}: nothing to rotate")
        return []
    _require_key("rotate")
    context.layout.write_sops_config(context.recipients)
    for path in files:
        # rotate replaces the data key while the current key can still read it;
        # updatekeys then encrypts that new data key to exactly the recipients in
        # .sops.yaml, so a removed recipient cannot read the new file.
        for verb, flag in (("rotate", "--in-place"), ("updatekeys", "--yes")):
            run_sops(verb, [flag, str(path)], config=context.sops_config, cwd=context.layout.root)
        log(f"rotated {context.layout.relative(path)}")
    context.layout.write_kustomization()
    return files


def _file_problems(
    context: SecretsContext, path: Path, expect: frozenset[str] | None = None
) -> list[str]:
    relative = (
        context.layout.relative(path) if path.is_relative_to(context.layout.root) else str(path)
    )
    try:
        documents = [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        return [f"{relative}: is not valid YAML ({exc.__class__.__name__})"]
    problems: list[str] = []
    for document in documents:
        if not isinstance(document, dict):
            problems.append(f"{relative}: holds something other than a Kubernetes object")
            continue
        clear = plaintext_fields(document)
        if clear:
            problems.append(
                f"{relative}: {', '.join(clear)} not encrypted; re-encrypt it with "
                "`wildside secrets set` (never commit plaintext here)"
            )
        elif not is_sops_encrypted(document):
            problems.append(
                f"{relative}: has no SOPS metadata; encrypt it with `wildside secrets set`"
            )
        elif expect is not None and age_recipients(document) != expect:
            problems.append(
                f"{relative}: encrypted for recipients other than [sops] age_recipients; run "
                "`wildside secrets rotate`"
            )
    return problems


def check(context: SecretsContext, log: Log) -> list[str]:
    """Every file under ``platform/secrets/`` fully encrypted; this cluster's to its recipients."""
    root = context.layout.root / "platform" / "secrets"
    problems: list[str] = []
    expect = frozenset(context.recipients)
    count = 0
    for path in sorted(root.rglob("*")) if root.is_dir() else []:
        if path.is_dir() or path.name == "kustomization.yaml":
            continue
        count += path.suffix == ".yaml"
        relative = path.relative_to(context.layout.root).as_posix()
        if path.suffix not in (".yaml", ".yml"):
            problems.append(
                f"{relative}: only encrypted YAML manifests belong under platform/secrets/"
            )
            continue
        mine = path.parent == context.layout.folder
        problems += _file_problems(context, path, expect if mine else None)
    for problem in problems:
        log(problem)
    if not problems:
        log(f"{count} file(s) under platform/secrets/ checked: all encrypted")
    return problems


def parse_values(
    pairs: Sequence[str],
    files: Sequence[str],
    envs: Sequence[str],
    stdin_key: str | None,
    read_stdin: Callable[[], str],
) -> dict[str, str]:
    """Gather KEY=VALUE pairs from arguments, files, variables and stdin."""
    values: dict[str, str] = {}

    def put(option: str, item: str) -> tuple[str, str]:
        key, sep, rest = item.partition("=")
        if not sep or not key:
            # The argument may be a value typed without its key: never echo it.
            raise SecretsError(f"{option}: expected KEY=VALUE with a non-empty KEY")
        if key in values:
            raise SecretsError(f"{option}: key {key!r} given twice; give each key once")
        return key, rest

    for item in pairs:
        key, value = put("--from-literal", item)
        values[key] = value
    for item in files:
        key, name = put("--from-file", item)
        try:
            values[key] = Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SecretsError(
                f"--from-file: cannot read {name!r} ({exc.__class__.__name__}); "
                "give a readable text file"
            ) from None
    for item in envs:
        key, variable = put("--from-env", item)
        if variable not in os.environ:
            raise SecretsError(f"--from-env: variable {variable!r} is not set; export it first")
        values[key] = os.environ[variable]
    if stdin_key:
        key, _ = put("--from-stdin", f"{stdin_key}=")
        values[key] = read_stdin()
    return values
