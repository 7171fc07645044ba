"""ExternalSecret documents the data-store components render when Vault is in use.

They read through vault_eso's ClusterSecretStore, so their unit must depend on
that store's unit; ``external-secrets.io/v1`` is the only version ESO 1.x serves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from wildside_constructs import flux
from wildside_constructs.props.vault import CLUSTER_SECRET_STORE

# Re-read from Vault hourly: a rotated password reaches the cluster without a commit.
REFRESH_INTERVAL = "1h"


def external_secret(
    *,
    name: str,
    namespace: str,
    part_of: str,
    data: Sequence[tuple[str, str, str]],
    secret_type: str = "Opaque",  # noqa: S107 - a Secret type
    template_data: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """An ExternalSecret owning the Secret ``name``.

    ``data`` lists (Secret key, Vault KV path, property); ``template_data``
    replaces the Secret's contents with Go templates over those keys, for
    values (such as a fixed user name) that do not come from Vault.
    """
    template: dict[str, Any] = {"type": secret_type}
    if template_data:
        template["data"] = dict(template_data)
    if labels:
        template["metadata"] = {"labels": dict(labels)}
    return {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": {"name": name, "namespace": namespace, "labels": flux.labels(part_of)},
        "spec": {
            "refreshInterval": REFRESH_INTERVAL,
            "secretStoreRef": {"kind": "ClusterSecretStore", "name": CLUSTER_SECRET_STORE},
            # Owner: the Secret goes when the ExternalSecret is pruned from Git.
            "target": {"name": name, "creationPolicy": "Owner", "template": template},
            "data": [
                {"secretKey": key, "remoteRef": {"key": path, "property": prop}}
                for key, path, prop in data
            ],
        },
    }
