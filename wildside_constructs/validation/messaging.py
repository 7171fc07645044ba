"""Rules for RabbitMQ documents (mirrored in ``policy/messaging.rego``).

* ``rabbitmq-tls``: a RabbitmqCluster serves TLS only (a certificate Secret and
  non-TLS listeners off), because its credentials cross the network.
* ``rabbitmq-credentials``: a User imports its credentials from a Secret (filled
  from Vault); without one the operator would invent a password nobody manages.
* ``rabbitmq-image-pinned``: a Flux Kustomization overriding an image names an
  exact tag, never ``latest`` or none.
"""

from __future__ import annotations

from wildside_constructs.problems import Problem
from wildside_constructs.validation.rules import Files, manifests

__all__ = ["messaging_problems"]


def _where(document: dict[str, object]) -> str:
    metadata = document.get("metadata")
    name = metadata.get("name", "") if isinstance(metadata, dict) else ""
    return f"{document.get('kind')} {name}"


def messaging_problems(files: Files) -> list[Problem]:
    problems: list[Problem] = []
    for path, broker in manifests(files, "rabbitmq.com/", "RabbitmqCluster"):
        tls = (broker.get("spec") or {}).get("tls") or {}
        if not tls.get("secretName") or tls.get("disableNonTLSListeners") is not True:
            problems.append(
                Problem(
                    path,
                    f"rabbitmq-tls: {_where(broker)} must set spec.tls.secretName and "
                    "spec.tls.disableNonTLSListeners: true",
                )
            )
    for path, user in manifests(files, "rabbitmq.com/", "User"):
        secret = ((user.get("spec") or {}).get("importCredentialsSecret") or {}).get("name")
        if not secret:
            problems.append(
                Problem(
                    path,
                    f"rabbitmq-credentials: {_where(user)} must import its credentials from a "
                    "Secret (spec.importCredentialsSecret.name) filled from Vault",
                )
            )
    for path, flux in manifests(files, "kustomize.toolkit.fluxcd.io/", "Kustomization"):
        for image in (flux.get("spec") or {}).get("images") or []:
            tag = str(image.get("newTag", "")) if isinstance(image, dict) else ""
            if not tag or tag == "latest":
                problems.append(
                    Problem(
                        path,
                        f"rabbitmq-image-pinned: {_where(flux)} overrides image "
                        f"{image.get('name') if isinstance(image, dict) else image} without an "
                        "exact tag; set newTag to a release",
                    )
                )
    return problems
