"""ExternalSecret documents components render when a Secret comes from Vault.

They read through vault_eso's ClusterSecretStore, so their unit must depend on
that store's unit; ``external-secrets.io/v1`` is the only version ESO 1.x serves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from wildside_constructs import flux
from wildside_constructs.model import DeployUnit
from wildside_constructs.platform.values import unit_variables
from wildside_constructs.settings.cert_manager import CloudflareToken
from wildside_constructs.settings.vault import CLUSTER_SECRET_STORE

# Re-read from Vault hourly: a rotated password reaches the cluster without a commit.
REFRESH_INTERVAL = "1h"


def external_secret(
    *,
    name: str,
    namespace: str,
    part_of: str,
    data: Sequence[tuple[str, str, str]],
    secret_type: str | None = "Opaque",  # noqa: S107 - a Secret type
    template_data: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    target: str | None = None,
) -> dict[str, Any]:
    """An ExternalSecret owning the Secret ``target`` (by default ``name``).

    ``data`` lists (Secret key, Vault KV path, property); ``template_data``
    replaces the Secret's contents with Go templates over those keys, for
    values (such as a fixed user name) that do not come from Vault.
    ``secret_type=None`` (with no template data or labels) renders no
    template at all: ESO then writes an Opaque Secret of the data keys.
    """
    template: dict[str, Any] = {} if secret_type is None else {"type": secret_type}
    if template_data:
        template["data"] = dict(template_data)
    if labels:
        template["metadata"] = {"labels": dict(labels)}
    owned: dict[str, Any] = {"name": target or name, "creationPolicy": "Owner"}
    if template:
        owned["template"] = template
    return {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": {"name": name, "namespace": namespace, "labels": flux.labels(part_of)},
        "spec": {
            "refreshInterval": REFRESH_INTERVAL,
            "secretStoreRef": {"kind": "ClusterSecretStore", "name": CLUSTER_SECRET_STORE},
            # Owner: the Secret goes when the ExternalSecret is pruned from Git.
            "target": owned,
            "data": [
                {"secretKey": key, "remoteRef": {"key": path, "property": prop}}
                for key, path, prop in data
            ],
        },
    }


# The ExternalSecret's own name; the Secret it fills is named per cluster.
CLOUDFLARE_TOKEN_SECRET = "cloudflare-api-token"  # noqa: S105 - a name, not a secret


def token_variables(prefix: str, token: CloudflareToken, cluster_name: str) -> dict[str, str]:
    """The substitutions :func:`cloudflare_token_unit` and its readers use."""
    return {
        f"{prefix}_cloudflare_secret_name": token.secret_name,
        f"{prefix}_cloudflare_secret_key": token.secret_key,
        f"{prefix}_cloudflare_vault_path": token.vault_key(cluster_name),
        f"{prefix}_cloudflare_vault_property": token.vault_property,
    }


def cloudflare_token_unit(
    *,
    name: str,
    folder: str,
    namespace: str,
    prefix: str,
    variables: Mapping[str, str],
    depends_on: tuple[str, ...],
    part_of: str,
) -> DeployUnit:
    """An ExternalSecret that materialises the Cloudflare token Secret from Vault.

    It sits in its own folder because only clusters running vault_eso use it,
    and the ExternalSecret CRD comes from that component.
    """
    document = external_secret(
        name=CLOUDFLARE_TOKEN_SECRET,
        namespace=namespace,
        part_of=part_of,
        data=[
            (
                f"${{{prefix}_cloudflare_secret_key}}",
                f"${{{prefix}_cloudflare_vault_path}}",
                f"${{{prefix}_cloudflare_vault_property}}",
            )
        ],
        secret_type=None,
        target=f"${{{prefix}_cloudflare_secret_name}}",
    )
    documents = {"externalsecret.yaml": document}
    return DeployUnit(
        name=name,
        folder=folder,
        documents=documents,
        depends_on=depends_on,
        variables=unit_variables(documents, variables),
    )
