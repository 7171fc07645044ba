"""RabbitMQ: the Cluster and Messaging Topology operators, one broker, its vhosts and users.

Units: ``rabbitmq-operators`` (the ``messaging`` namespace, and one Flux
source and Kustomization per operator, which build each release's own
``config/installation`` at its tag), ``rabbitmq-cluster`` (a private CA from
cert-manager, the broker's TLS certificate and the ``RabbitmqCluster``, once
the operators serve their CRDs) and, where a cluster declares any,
``rabbitmq-topology`` (vhosts, users with passwords from Vault, permissions).
The topology differs in shape between clusters, so it lives in the cluster's
own folder, ``clusters/<cluster>/rabbitmq-topology/``; everything under
``platform/messaging/`` stays byte-identical for every cluster.
"""

from __future__ import annotations

from typing import Any

from constructs import Construct

from wildside_constructs import flux
from wildside_constructs.model import ClusterContext, DeployUnit
from wildside_constructs.platform.component import PlatformComponent, contract_output
from wildside_constructs.platform.external_secrets import external_secret
from wildside_constructs.platform.values import resource_values, resource_variables, unit_variables
from wildside_constructs.settings.datastores import for_cluster
from wildside_constructs.settings.rabbitmq import (
    AMQPS_PORT,
    CLUSTER_OPERATOR_REPOSITORY,
    CLUSTER_OPERATOR_VERSION,
    MANAGEMENT_TLS_PORT,
    RABBITMQ_NAMESPACE,
    TOPOLOGY_OPERATOR_REPOSITORY,
    TOPOLOGY_OPERATOR_VERSION,
    RabbitmqContract,
    RabbitmqSettings,
    RabbitmqUser,
)
from wildside_constructs.settings.vault import SECRET_STORE_UNIT

PART_OF = "rabbitmq"
OPERATORS_UNIT = "rabbitmq-operators"
CLUSTER_UNIT = "rabbitmq-cluster"
TOPOLOGY_UNIT = "rabbitmq-topology"
CERT_MANAGER_UNIT = "cert-manager"
CLUSTER_DOMAIN = "cluster.local"
# The Flux Kustomizations that install each operator (inside rabbitmq-operators).
_OPERATORS = (
    # name, repository, tag, path in the repository, image override, depends on
    # (tests/platform/upstream_evidence/ holds the upstream files each is read from)
    (
        "rabbitmq-cluster-operator",
        CLUSTER_OPERATOR_REPOSITORY,
        CLUSTER_OPERATOR_VERSION,
        "./config/installation",
        # config/manager/manager.yaml names this image (":latest") directly; the
        # installation's own images entry (rabbitmqoperator/cluster-operator-dev)
        # matches nothing, so ours is appended and sets the tag.
        {"name": "ghcr.io/rabbitmq/cluster-operator", "newTag": CLUSTER_OPERATOR_VERSION},
        (),
    ),
    (
        "rabbitmq-topology-operator",
        TOPOLOGY_OPERATOR_REPOSITORY,
        TOPOLOGY_OPERATOR_VERSION,
        # At v1.20.1 this is the only installation folder, and it is the variant
        # whose webhook certificate cert-manager issues (it includes
        # ../default, which includes ../certmanager); upstream's
        # messaging-topology-operator-with-certmanager.yaml is a copy of its build.
        "./config/installation",
        # The build names the image rabbitmqoperator/messaging-topology-operator
        # until the installation's own images entry of that name renames it to
        # ghcr.io/...:latest. Flux replaces an entry of the same name, so ours
        # keeps the rename and sets the tag: the release manifest's image.
        {
            "name": "rabbitmqoperator/messaging-topology-operator",
            "newName": "ghcr.io/rabbitmq/messaging-topology-operator",
            "newTag": TOPOLOGY_OPERATOR_VERSION,
        },
        ("rabbitmq-cluster-operator",),
    ),
)
# cert-manager, which the topology operator's webhook needs, is awaited by the
# rabbitmq-operators unit that creates these, not by each of them: the
# platform/ files must not name another cluster-level unit.


def _git_source(name: str, url: str, tag: str) -> dict[str, Any]:
    return flux.git_repository(
        name=name,
        url=url,
        ref={"tag": f"v{tag}"},
        interval="24h",
        part_of=PART_OF,
        # Only the kustomize tree is needed; skip the sources and docs.
        ignore="/*\n!/config/\n",
    )


def _operator_kustomization(
    name: str, path: str, image: dict[str, str], depends_on: tuple[str, ...]
) -> dict[str, Any]:
    # A unit applied from the operator's own repository: no folder here.
    unit = DeployUnit(
        name=name,
        folder=name,
        documents={},
        depends_on=depends_on,
        interval="1h",
        source=name,
        path=path,
    )
    document = flux.flux_kustomization(unit, path, PART_OF)
    # Upstream's kustomization says ":latest"; its release build sets the tag
    # (ghcr.io/rabbitmq/<operator>:<version>), and so does this override.
    document["spec"]["images"] = [dict(image)]
    return document


def _issuer(name: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "cert-manager.io/v1",
        "kind": "Issuer",
        "metadata": {"name": name, "namespace": RABBITMQ_NAMESPACE, "labels": flux.labels(PART_OF)},
        "spec": spec,
    }


def _certificate(name: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "cert-manager.io/v1",
        "kind": "Certificate",
        "metadata": {"name": name, "namespace": RABBITMQ_NAMESPACE, "labels": flux.labels(PART_OF)},
        "spec": spec,
    }


def tls_documents() -> dict[str, dict[str, Any]]:
    """A private CA for the broker: self-signed root, CA issuer, server certificate."""
    name = "${rabbitmq_name}"
    nodes = f"{name}-nodes.{RABBITMQ_NAMESPACE}.svc.{CLUSTER_DOMAIN}"
    key = {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always"}
    return {
        "issuer-selfsigned.yaml": _issuer(f"{name}-selfsigned", {"selfSigned": {}}),
        "certificate-ca.yaml": _certificate(
            f"{name}-ca",
            {
                "isCA": True,
                "commonName": f"{name} CA",
                "secretName": f"{name}-ca",
                "duration": "87600h",
                "privateKey": key,
                "issuerRef": {"name": f"{name}-selfsigned", "kind": "Issuer"},
            },
        ),
        "issuer-ca.yaml": _issuer(f"{name}-ca", {"ca": {"secretName": f"{name}-ca"}}),
        "certificate-tls.yaml": _certificate(
            f"{name}-tls",
            {
                "secretName": f"{name}-tls",
                "duration": "2160h",
                "renewBefore": "720h",
                "privateKey": key,
                "dnsNames": [
                    name,
                    f"{name}.{RABBITMQ_NAMESPACE}.svc",
                    f"{name}.{RABBITMQ_NAMESPACE}.svc.{CLUSTER_DOMAIN}",
                    f"*.{nodes}",
                ],
                "issuerRef": {"name": f"{name}-ca", "kind": "Issuer"},
            },
        ),
    }


def broker_document() -> dict[str, Any]:
    return {
        "apiVersion": "rabbitmq.com/v1beta1",
        "kind": "RabbitmqCluster",
        "metadata": {
            "name": "${rabbitmq_name}",
            "namespace": RABBITMQ_NAMESPACE,
            "labels": flux.labels(PART_OF),
        },
        "spec": {
            "replicas": "${rabbitmq_replicas}",
            "persistence": {
                "storageClassName": "${rabbitmq_storage_class}",
                "storage": "${rabbitmq_storage_size}",
            },
            "resources": resource_values("rabbitmq"),
            # TLS only: the management API and AMQP both listen on TLS ports.
            "tls": {
                "secretName": "${rabbitmq_name}-tls",
                "caSecretName": "${rabbitmq_name}-ca",
                "disableNonTLSListeners": True,
            },
            "rabbitmq": {
                # Pause the minority side of a partition rather than diverge.
                "additionalConfig": "cluster_partition_handling = pause_minority\n",
            },
        },
    }


class Rabbitmq(PlatformComponent):
    def __init__(
        self, scope: Construct, id: str, *, context: ClusterContext, settings: RabbitmqSettings
    ) -> None:
        super().__init__(scope, id, context=context, settings=settings)
        self.namespace = RABBITMQ_NAMESPACE
        self.name = settings.name
        self.host = f"{settings.name}.{RABBITMQ_NAMESPACE}.svc.{CLUSTER_DOMAIN}"
        self.cluster_unit = CLUSTER_UNIT
        self.topology_unit = TOPOLOGY_UNIT if settings.vhosts or settings.users else ""
        self.user_secrets = {user.name: user.secret_name(context.name) for user in settings.users}
        self._operators()
        self._broker(settings)
        if self.topology_unit:
            self._topology(settings)

    def _operators(self) -> None:
        documents: dict[str, dict[str, Any]] = {
            "namespace-messaging.yaml": flux.namespace(RABBITMQ_NAMESPACE, PART_OF)
        }
        for name, url, tag, path, image, depends_on in _OPERATORS:
            documents[f"gitrepository-{name}.yaml"] = _git_source(name, url, tag)
            documents[f"kustomization-{name}.yaml"] = _operator_kustomization(
                name, path, image, depends_on
            )
        self.add_unit(
            DeployUnit(
                name=OPERATORS_UNIT,
                folder=f"{self.folder}/operators",
                documents=documents,
                depends_on=(CERT_MANAGER_UNIT,),
                timeout="10m",
            )
        )

    def _broker(self, settings: RabbitmqSettings) -> None:
        variables = {
            "rabbitmq_name": settings.name,
            "rabbitmq_replicas": str(settings.replicas),
            "rabbitmq_storage_size": settings.storage_size,
            "rabbitmq_storage_class": settings.storage_class,
            **resource_variables("rabbitmq", settings.resources),
        }
        documents = {**tls_documents(), "rabbitmqcluster.yaml": broker_document()}
        self.add_unit(
            DeployUnit(
                name=CLUSTER_UNIT,
                folder=f"{self.folder}/cluster",
                documents=documents,
                depends_on=(OPERATORS_UNIT, CERT_MANAGER_UNIT),
                variables=unit_variables(documents, variables),
                timeout="15m",
            )
        )

    def _reference(self) -> dict[str, str]:
        return {"name": self.name, "namespace": RABBITMQ_NAMESPACE}

    def _topology_object(self, kind: str, name: str, spec: dict[str, Any]) -> dict[str, Any]:
        return {
            "apiVersion": "rabbitmq.com/v1beta1",
            "kind": kind,
            "metadata": {
                "name": name,
                "namespace": RABBITMQ_NAMESPACE,
                "labels": flux.labels(PART_OF),
            },
            "spec": {**spec, "rabbitmqClusterReference": self._reference()},
        }

    def _user_documents(self, user: RabbitmqUser) -> dict[str, dict[str, Any]]:
        secret = user.secret_name(self.context.name)
        path = for_cluster(user.vault_path, self.context.name)
        return {
            f"externalsecret-user-{user.name}.yaml": external_secret(
                name=secret,
                namespace=RABBITMQ_NAMESPACE,
                part_of=PART_OF,
                data=[("password", path, user.vault_property)],
                # The operator imports username and password from this Secret.
                template_data={"username": user.name, "password": "{{ .password }}"},
            ),
            f"user-{user.name}.yaml": self._topology_object(
                "User",
                f"{self.name}-{user.name}",
                {"tags": list(user.tags), "importCredentialsSecret": {"name": secret}},
            ),
        }

    def _topology(self, settings: RabbitmqSettings) -> None:
        documents: dict[str, dict[str, Any]] = {}
        for vhost in settings.vhosts:
            documents[f"vhost-{vhost.name}.yaml"] = self._topology_object(
                "Vhost",
                f"{self.name}-{vhost.name}",
                {"name": vhost.name, "defaultQueueType": vhost.default_queue_type},
            )
        for user in settings.users:
            documents.update(self._user_documents(user))
        for grant in settings.permissions:
            documents[f"permission-{grant.user}-{grant.vhost}.yaml"] = self._topology_object(
                "Permission",
                f"{self.name}-{grant.user}-{grant.vhost}",
                {
                    "vhost": grant.vhost,
                    "userReference": {"name": f"{self.name}-{grant.user}"},
                    "permissions": {
                        "configure": grant.configure,
                        "write": grant.write,
                        "read": grant.read,
                    },
                },
            )
        depends_on: tuple[str, ...] = (CLUSTER_UNIT,)
        if settings.users:
            depends_on += (SECRET_STORE_UNIT,)
        self.add_unit(
            DeployUnit(
                name=TOPOLOGY_UNIT,
                folder=f"clusters/{self.context.name}/rabbitmq-topology",
                documents=documents,
                depends_on=depends_on,
            )
        )

    @property
    def rabbitmq_contract(self) -> RabbitmqContract:
        return RabbitmqContract(
            namespace=self.namespace,
            name=self.name,
            service=self.name,
            host=self.host,
            amqp_url=f"amqps://{self.host}:{AMQPS_PORT}",
            amqps_port=AMQPS_PORT,
            management_url=f"https://{self.host}:{MANAGEMENT_TLS_PORT}",
            ca_secret=f"{self.name}-ca",
            default_user_secret=f"{self.name}-default-user",
            vhosts=tuple(vhost.name for vhost in self.settings.vhosts),
            user_secrets=dict(self.user_secrets),
            cluster_unit=self.cluster_unit,
            topology_unit=self.topology_unit,
        )

    def contract(self) -> dict[str, Any]:
        return contract_output(self.rabbitmq_contract)
