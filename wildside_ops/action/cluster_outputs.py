"""cluster-stack's outputs after the apply: id, endpoint and the kubeconfig.

``<engine> output -json`` prints sensitive outputs in clear, so its standard
output is captured and parsed here, never streamed to the log; only its
standard error (which carries no values) appears in an error message.
"""

from __future__ import annotations

import base64
import binascii
import json
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from wildside_ops.engine import EngineError, resolve_engine
from wildside_ops.vault.masking import mask

# Keys under a kubeconfig user whose values are credentials.
_CREDENTIAL_KEYS = ("token", "password", "client-key-data", "client-certificate-data")


@dataclass(frozen=True)
class ClusterOutputs:
    cluster_id: str = ""
    endpoint: str = ""
    kubeconfig: str = field(default="", repr=False)


def read_outputs(stack_dir: Path, environ: Mapping[str, str]) -> dict[str, Any]:
    """The stack's outputs as ``{name: value}``; empty before the first apply."""
    binary = resolve_engine(environ)
    try:
        done = subprocess.run(
            [binary, f"-chdir={stack_dir}", "output", "-json", "-no-color"],
            env={**environ, "TF_IN_AUTOMATION": "1", "TF_INPUT": "0"},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError as error:
        raise EngineError(f"cannot run {binary}: {error}") from error
    name = Path(binary).name
    if done.returncode != 0:
        raise EngineError(f"{name} output failed:\n{done.stderr.strip()[-4000:]}")
    try:
        data = json.loads(done.stdout or "{}")
    except json.JSONDecodeError:
        raise EngineError(f"{name} output -json did not print JSON") from None
    if not isinstance(data, dict):
        raise EngineError(f"{name} output -json printed {type(data).__name__}, not an object")
    return {
        key: entry.get("value") if isinstance(entry, dict) else None for key, entry in data.items()
    }


def _strings(node: object) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _user_credentials(user: dict[str, Any]) -> Iterator[str]:
    for key in _CREDENTIAL_KEYS:
        value = user.get(key)
        if isinstance(value, str):
            yield value
    provider = user.get("auth-provider")
    if isinstance(provider, dict):
        yield from _strings(provider.get("config"))
    exec_config = user.get("exec")
    if isinstance(exec_config, dict):
        for entry in exec_config.get("env") or []:
            if isinstance(entry, dict) and isinstance(entry.get("value"), str):
                yield entry["value"]


def mask_kubeconfig(text: str) -> int:
    """Mask the kubeconfig's credentials; return how many values were registered.

    Only credentials are masked, not every line: registering lines such as
    ``apiVersion: v1`` would blank them out of every later log line of the
    job, manifests and diffs included. A kubeconfig that does not parse is
    masked line by line, the safe fallback.
    """
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError:
        document = None
    users = document.get("users") if isinstance(document, dict) else None
    if not isinstance(users, list):
        return mask(text)
    count = 0
    for entry in users:
        user = entry.get("user") if isinstance(entry, dict) else None
        if isinstance(user, dict):
            for value in _user_credentials(user):
                count += mask(value)
    return count


def kubernetes_ca(kubeconfig: str, endpoint: str) -> str:
    """The PEM CA certificate of the cluster serving ``endpoint`` (else the first one)."""
    document = yaml.safe_load(kubeconfig)
    clusters = document.get("clusters") if isinstance(document, dict) else None
    entries = [
        entry["cluster"]
        for entry in clusters or []
        if isinstance(entry, dict) and isinstance(entry.get("cluster"), dict)
    ]
    chosen = [c for c in entries if c.get("server") == endpoint] or entries
    data = chosen[0].get("certificate-authority-data") if chosen else None
    if not isinstance(data, str):
        raise EngineError(
            "the kubeconfig output holds no certificate-authority-data for the cluster; "
            "Vault's Kubernetes auth needs the cluster's CA"
        )
    try:
        return base64.b64decode(data, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise EngineError("the kubeconfig's certificate-authority-data is not base64 PEM") from None


def cluster_outputs(outputs: Mapping[str, Any]) -> ClusterOutputs:
    """Pick the values the action needs; the kubeconfig is masked before it is kept."""
    kubeconfig = outputs.get("kubeconfig")
    kubeconfig = kubeconfig if isinstance(kubeconfig, str) else ""
    if kubeconfig:
        mask_kubeconfig(kubeconfig)
    cluster_id, endpoint = outputs.get("cluster_id"), outputs.get("cluster_endpoint")
    return ClusterOutputs(
        cluster_id=cluster_id if isinstance(cluster_id, str) else "",
        endpoint=endpoint if isinstance(endpoint, str) else "",
        kubeconfig=kubeconfig,
    )
