"""Shared by the vault_eso tests: configurations and documents as Flux applies them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.support import example_with, render_platform
from wildside_constructs.validation.tree import substitute
from wildside_constructs.yamlout import load

RELEASE = "platform/vault/helmrelease.yaml"
STORE_UNIT = "clusters/dev/vault-secret-store.yaml"
# A throwaway self-signed CA (its key was discarded): public data, as in real use.
CA_PEM = """-----BEGIN CERTIFICATE-----
MIIBjDCCATGgAwIBAgIUFHtw1amBwlw9e0mPCzn3nXPu80MwCgYIKoZIzj0EAwIw
GzEZMBcGA1UEAwwQd2lsZHNpZGUgdGVzdCBDQTAeFw0yNjExMjIxNDEzMDJaFw0z
NjExMTkxNDEzMDJaMBsxGTAXBgNVBAMMEHdpbGRzaWRlIHRlc3QgQ0EwWTATBgcq
hkjOPQIBBggqhkjOPQMBBwNCAAQtBSPFwFeHZj+tRDVtBvsWySv4FSvkFfkwjWKq
VUW7hv2wNYg1pEdjgzy1EPAa5Z8yWBHV8U5H89cBrRXzN37bo1MwUTAdBgNVHQ4E
FgQUZzaEGLit6SivW/ruRd4/b6pgEZcwHwYDVR0jBBgwFoAUZzaEGLit6SivW/ru
Rd4/b6pgEZcwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBGAiEAoswv
JsBVAZKMFvvcAGld0vezYnybsOxdNm7JJU7w2HUCIQD3XgpLG/wJ3MNOw2GQWsv1
DJ61SZSmixAAmQ7vOwjnDA==
-----END CERTIFICATE-----
"""
APPROLE = {"auth": "approle", "approle": {"secret_name": "eso-approle", "role_id_key": "rid"}}


def render_vault(
    settings: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    cluster: Mapping[str, Any] | None = None,
    *,
    schemas: bool = True,
) -> Any:
    overrides: dict[str, Any] = {"vault_eso": dict(settings or {})}
    if cluster:
        overrides["cluster"] = dict(cluster)
    return render_platform(example_with(overrides, env), schemas=schemas)


def flux_vars(stack: Any, unit: str, cluster: str = "dev") -> dict[str, str]:
    spec = stack.documents[f"clusters/{cluster}/{unit}.yaml"]["spec"]
    variables: dict[str, str] = spec.get("postBuild", {}).get("substitute", {})
    return variables


def store_path(stack: Any, cluster: str = "dev") -> str:
    """The ClusterSecretStore file the cluster's store unit applies."""
    folder = stack.documents[f"clusters/{cluster}/vault-secret-store.yaml"]["spec"]["path"]
    return f"{folder.removeprefix('./')}/clustersecretstore.yaml"


def applied(stack: Any, path: str, unit: str, cluster: str = "dev") -> Any:
    """The document as Flux hands it to the cluster: substituted and re-parsed."""
    return load(substitute(stack.rendered[path], flux_vars(stack, unit, cluster)))


def applied_store(stack: Any, cluster: str = "dev") -> Any:
    return applied(stack, store_path(stack, cluster), "vault-secret-store", cluster)


def applied_values(stack: Any, cluster: str = "dev") -> Any:
    return applied(stack, RELEASE, "vault", cluster)["spec"]["values"]
