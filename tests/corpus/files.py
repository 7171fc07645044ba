"""Makers of the corpus's bad configuration files; each returns the variables to set."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from app.config.load import EXAMPLE_CONFIG

Maker = Callable[[Path], dict[str, str]]
EXAMPLE = EXAMPLE_CONFIG.read_text(encoding="utf-8")
CLOUDFLARE = 'vault_path = "wildside/${cluster_name}/cloudflare"'


def _config(tmp: Path, text: str | bytes) -> dict[str, str]:
    path = tmp / "bad.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return {"WILDSIDE_CONFIG": str(path)}


def _replace(old: str, new: str, occurrence: int = 1) -> Maker:
    def make(tmp: Path) -> dict[str, str]:
        parts = EXAMPLE.split(old)
        assert len(parts) > occurrence, f"{old!r} is not in example.toml {occurrence} time(s)"
        text = old.join(parts[:occurrence]) + new + old.join(parts[occurrence:])
        return _config(tmp, text)

    return make


def _append(extra: str) -> Maker:
    return lambda tmp: _config(tmp, EXAMPLE + "\n" + extra)


def _folder(tmp: Path) -> dict[str, str]:
    (tmp / "conf").mkdir()
    return {"WILDSIDE_CONFIG": str(tmp / "conf")}


def _fifo(tmp: Path) -> dict[str, str]:
    os.mkfifo(tmp / "pipe")
    return {"WILDSIDE_CONFIG": str(tmp / "pipe")}


def _loop(tmp: Path) -> dict[str, str]:
    (tmp / "a").symlink_to(tmp / "b")
    (tmp / "b").symlink_to(tmp / "a")
    return {"WILDSIDE_CONFIG": str(tmp / "a")}


def _gitops_dir(kind: str) -> Maker:
    def make(tmp: Path) -> dict[str, str]:
        (tmp / "file").write_text("not a folder\n")
        if kind == "broken":
            (tmp / "link").symlink_to(tmp / "nowhere")
            return {"WILDSIDE_GITOPS_DIR": str(tmp / "link")}
        target = tmp / "file" if kind == "file" else tmp / "file" / "sub"
        return {"WILDSIDE_GITOPS_DIR": str(target)}

    return make


MAKERS: dict[str, Maker] = {
    "folder": _folder,
    "fifo": _fifo,
    "symlink_loop": _loop,
    "missing": lambda tmp: {"WILDSIDE_CONFIG": str(tmp / "absent.toml")},
    "binary": lambda tmp: _config(tmp, bytes(range(256)) * 4),
    "latin1": lambda tmp: _config(tmp, EXAMPLE.replace("dev", "d\u00e9v").encode("latin-1")),
    "utf16": lambda tmp: _config(tmp, EXAMPLE.encode("utf-16")),
    "not_toml": lambda tmp: _config(tmp, "[cluster\nname = dev\n"),
    "huge": lambda tmp: _config(tmp, EXAMPLE + "#" * 1_100_000 + "\n"),
    "valkey_dotdot": _replace(
        'vault_path = "wildside/${cluster_name}/valkey"', 'vault_path = "wildside/../../x"'
    ),
    "valkey_empty_segment": _replace(
        'vault_path = "wildside/${cluster_name}/valkey"', 'vault_path = "wildside//valkey"'
    ),
    "valkey_dot": _replace(
        'vault_path = "wildside/${cluster_name}/valkey"', 'vault_path = "wildside/./valkey"'
    ),
    "cnpg_app_dotdot": _replace(
        'app_vault_path = "wildside/${cluster_name}/cnpg/app"', 'app_vault_path = "a/../../b"'
    ),
    "cnpg_superuser_dotdot": _replace(
        'superuser_vault_path = "wildside/${cluster_name}/cnpg/superuser"',
        'superuser_vault_path = "../root"',
    ),
    "cert_manager_dotdot": _replace(CLOUDFLARE, 'vault_path = "wildside/../x"', 1),
    "external_dns_dotdot": _replace(CLOUDFLARE, 'vault_path = "wildside/../x"', 2),
    "rabbitmq_bad_client_namespace": _replace(
        "[rabbitmq]\n", '[rabbitmq]\nclient_namespaces = ["Shop_1"]\n'
    ),
    "vpc_range_without_create": _append('[cluster.vpc]\nip_range = "10.10.0.0/16"\n'),
    "unknown_table": _append("[traefk]\nreplicas = 2\n"),
    "unknown_key": _replace('name = "dev"', 'nmae = "dev"\nname = "dev"'),
    "budget_string": _replace(
        'branch = "main"', 'branch = "main"\npush_budget_seconds = "two minutes"'
    ),
    "replicas_string": _replace("replicas = 2", 'replicas = "two"'),
    "gitops_dir_file": _gitops_dir("file"),
    "gitops_dir_under_file": _gitops_dir("under"),
    "gitops_dir_broken_link": _gitops_dir("broken"),
}
