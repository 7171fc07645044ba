"""Settings for RabbitMQ: the Cluster and Messaging Topology operators and one broker.

Neither operator publishes a Helm chart, so both are installed from their own
repositories at a release tag through Flux ``GitRepository`` sources, exactly
as each release's ``cluster-operator.yml`` and
``messaging-topology-operator-with-certmanager.yaml`` are built (the
``config/installation`` kustomizations), with the image pinned to the tag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from wildside_constructs.capacity import Workload
from wildside_constructs.problems import Problem
from wildside_constructs.settings.common import Resources
from wildside_constructs.settings.datastores import storage_problems, vault_path_problems
from wildside_constructs.settings.text import namespace_list_problems, text_problems

# The versions whose CRD schemas ../shared/schemas holds (its README).
CLUSTER_OPERATOR_VERSION = "2.22.3"
TOPOLOGY_OPERATOR_VERSION = "1.20.1"
CLUSTER_OPERATOR_REPOSITORY = "https://github.com/rabbitmq/cluster-operator"
TOPOLOGY_OPERATOR_REPOSITORY = "https://github.com/rabbitmq/messaging-topology-operator"
OPERATOR_NAMESPACE = "rabbitmq-system"
RABBITMQ_NAMESPACE = "messaging"
AMQPS_PORT = 5671
MANAGEMENT_TLS_PORT = 15671

# The operator names the StatefulSet, Services and Secrets after the cluster;
# a DNS-1035 label of at most 40 characters leaves room for their suffixes.
_NAME = re.compile(r"^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$")
# RabbitMQ allows almost anything in a vhost or user name; we keep to names
# that are also safe in Kubernetes object names and URLs.
_VHOST = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_USER = _VHOST
_PROPERTY = re.compile(r"^[A-Za-z0-9_.-]+$")
_USER_TAGS = ("management", "policymaker", "monitoring", "administrator")


@dataclass(frozen=True)
class BrokerResources(Resources):
    """Requests and limits of each RabbitMQ node (the operator's own defaults, halved)."""

    cpu_request: str = "500m"
    memory_request: str = "1Gi"
    cpu_limit: str = "1"
    memory_limit: str = "1Gi"


# config/manager/manager.yaml of cluster-operator: requests 200m CPU, 500Mi memory.
OPERATOR_RESOURCES = Resources(
    cpu_request="200m", memory_request="500Mi", cpu_limit="200m", memory_limit="500Mi"
)


@dataclass(frozen=True)
class RabbitmqVhost:
    """A virtual host; its queues are quorum queues unless ``default_queue_type`` says otherwise."""

    name: str
    default_queue_type: str = "quorum"


@dataclass(frozen=True)
class RabbitmqUser:
    """A user whose password External Secrets reads from Vault (never from Git)."""

    name: str
    vault_path: str = ""
    vault_property: str = "password"
    tags: tuple[str, ...] = ()

    def secret_name(self, cluster: str) -> str:
        return f"{cluster}-user-{self.name}"


@dataclass(frozen=True)
class RabbitmqPermission:
    """What ``user`` may do in ``vhost``, as RabbitMQ's configure/write/read patterns."""

    user: str
    vhost: str
    configure: str = ".*"
    write: str = ".*"
    read: str = ".*"


@dataclass(frozen=True)
class RabbitmqSettings:
    name: str = "rabbitmq"
    # Quorum queues need a majority: 3 nodes survive one loss, 1 is for sandboxes.
    replicas: int = 3
    storage_size: str = "10Gi"
    storage_class: str = "do-block-storage"
    resources: BrokerResources = field(default_factory=BrokerResources)
    vhosts: tuple[RabbitmqVhost, ...] = ()
    users: tuple[RabbitmqUser, ...] = ()
    permissions: tuple[RabbitmqPermission, ...] = ()
    # Namespaces allowed to reach AMQPS (5671); each must be a platform
    # namespace or one in cluster.app_namespaces (docs/network-policies.md).
    client_namespaces: tuple[str, ...] = ()

    def problems(self, where: str) -> list[Problem]:
        found = text_problems(
            f"{where}.name", self.name, _NAME, "a DNS label of at most 40 characters"
        )
        if self.replicas < 1:
            found.append(
                Problem(
                    f"{where}.replicas",
                    "must be at least 1 (3 for quorum queues to survive a node loss)",
                )
            )
        found += storage_problems(where, self.storage_size, self.storage_class)
        found += self.resources.problems(f"{where}.resources")
        found += self._vhost_problems(where)
        found += self._user_problems(where)
        found += self._permission_problems(where)
        found += namespace_list_problems(f"{where}.client_namespaces", self.client_namespaces)
        return found

    def _vhost_problems(self, where: str) -> list[Problem]:
        found: list[Problem] = []
        seen: set[str] = set()
        for index, vhost in enumerate(self.vhosts):
            at = f"{where}.vhosts[{index}]"
            found += text_problems(
                f"{at}.name",
                vhost.name,
                _VHOST,
                "a vhost name (lower-case letters, digits and '-')",
            )
            if vhost.name in seen:
                found.append(Problem(f"{at}.name", f"vhost {vhost.name!r} is declared twice"))
            seen.add(vhost.name)
            if vhost.default_queue_type not in ("quorum", "classic", "stream"):
                found.append(
                    Problem(f"{at}.default_queue_type", "must be 'quorum', 'classic' or 'stream'")
                )
        return found

    def _user_problems(self, where: str) -> list[Problem]:
        found: list[Problem] = []
        seen: set[str] = set()
        for index, user in enumerate(self.users):
            at = f"{where}.users[{index}]"
            found += text_problems(
                f"{at}.name", user.name, _USER, "a user name (lower-case letters, digits and '-')"
            )
            if user.name in seen:
                found.append(Problem(f"{at}.name", f"user {user.name!r} is declared twice"))
            seen.add(user.name)
            if not user.vault_path:
                found.append(
                    Problem(
                        f"{at}.vault_path",
                        "must name the Vault KV path holding this user's password (e.g. "
                        "wildside/${cluster_name}/rabbitmq/" + (user.name or "app") + "); "
                        "passwords never live in Git",
                    )
                )
            else:
                found += vault_path_problems(f"{at}.vault_path", user.vault_path)
            found += text_problems(
                f"{at}.vault_property", user.vault_property, _PROPERTY, "a Vault secret property"
            )
            for tag in user.tags:
                if tag not in _USER_TAGS:
                    found.append(
                        Problem(
                            f"{at}.tags",
                            f"{tag!r} is not a RabbitMQ user tag; use one of "
                            + ", ".join(_USER_TAGS),
                        )
                    )
        return found

    def _permission_problems(self, where: str) -> list[Problem]:
        found: list[Problem] = []
        users = {user.name for user in self.users}
        vhosts = {vhost.name for vhost in self.vhosts}
        pairs: set[tuple[str, str]] = set()
        for index, grant in enumerate(self.permissions):
            at = f"{where}.permissions[{index}]"
            if grant.user not in users:
                found.append(
                    Problem(
                        f"{at}.user",
                        f"names unknown user {grant.user!r}; declare it in [[{where}.users]]",
                    )
                )
            if grant.vhost not in vhosts:
                found.append(
                    Problem(
                        f"{at}.vhost",
                        f"names unknown vhost {grant.vhost!r}; declare it in [[{where}.vhosts]]",
                    )
                )
            for kind in ("configure", "write", "read"):
                try:
                    re.compile(getattr(grant, kind))
                except re.error as exc:
                    found.append(
                        Problem(
                            f"{at}.{kind}",
                            f"is not a regular expression ({exc}); '.*' grants all, '^$' none",
                        )
                    )
            if (grant.user, grant.vhost) in pairs:
                found.append(
                    Problem(at, f"a second grant for {grant.user!r} on {grant.vhost!r}; merge them")
                )
            pairs.add((grant.user, grant.vhost))
        return found

    def workloads(self) -> list[Workload]:
        return [
            Workload("broker", self.replicas, self.resources),
            # The cluster operator's own requests, from its manifest (config/manager).
            Workload("cluster-operator", 1, OPERATOR_RESOURCES),
        ]

    def warnings(self, where: str) -> list[Problem]:
        """Allowed but probably not meant: reported, never refused."""
        if self.replicas > 1 and self.replicas % 2 == 0:
            return [
                Problem(
                    f"{where}.replicas",
                    f"{self.replicas} is even: quorum queues need a majority, so "
                    f"{self.replicas} nodes survive no more failures than "
                    f"{self.replicas - 1}; an odd number is cheaper for the same safety",
                )
            ]
        return []

    def requires(self) -> dict[str, str]:
        needs = {
            "cert_manager": "rabbitmq's TLS certificate and the topology operator's webhook "
            "certificates come from cert-manager; enable cert_manager",
        }
        if self.users:
            needs["vault_eso"] = (
                "rabbitmq users' passwords come from Vault through External Secrets; enable "
                "vault_eso, or declare no [[rabbitmq.users]]"
            )
        return needs


@dataclass(frozen=True)
class RabbitmqContract:
    """What applications consume from rabbitmq on one cluster."""

    namespace: str
    name: str
    service: str
    host: str
    amqp_url: str
    amqps_port: int
    management_url: str
    ca_secret: str
    default_user_secret: str
    vhosts: tuple[str, ...]
    user_secrets: dict[str, str]
    cluster_unit: str
    topology_unit: str
