"""promtool scenarios for the RabbitMQ alerts (see scenarios.py)."""

from __future__ import annotations

from tests.observability.scenarios import Scenario, absent

NODE = 'namespace="messaging", pod="rabbitmq-server-{}"'
STS = 'namespace="messaging", statefulset="rabbitmq-server"'
OPERATOR = 'namespace="rabbitmq-system", deployment="{}"'
STS_LABELS = {"namespace": "messaging", "statefulset": "rabbitmq-server"}


def nodes(metric: str, *values: str) -> dict[str, str]:
    return {f"{metric}{{{NODE.format(i)}}}": value for i, value in enumerate(values)}


def replicas(spec: int, ready: int) -> dict[str, str]:
    return {
        f"kube_statefulset_replicas{{{STS}}}": f"{spec}x40",
        f"kube_statefulset_status_replicas_ready{{{STS}}}": f"{ready}x40",
    }


def node(pod: int) -> dict[str, str]:
    return {"namespace": "messaging", "pod": f"rabbitmq-server-{pod}"}


ALARMS = (
    "rabbitmq_alarms_memory_used_watermark",
    "rabbitmq_alarms_free_disk_space_watermark",
    "rabbitmq_alarms_file_descriptor_limit",
)
HEALTHY = {
    **nodes("up", "1x40", "1x40", "1x40"),
    # Another broker's dead node, in another namespace, is not ours.
    'up{namespace="other", pod="rabbitmq-server-0"}': "0x40",
    **replicas(3, 3),
    **{k: v for alarm in ALARMS for k, v in nodes(alarm, "0x40", "0x40", "0x40").items()},
    **nodes("rabbitmq_process_open_fds", "100x40", "120x40", "90x40"),
    **nodes("rabbitmq_process_max_fds", "1048576x40", "1048576x40", "1048576x40"),
    **nodes("rabbitmq_global_messages_unroutable_dropped_total", "3x40"),
    **nodes("rabbitmq_global_messages_unroutable_returned_total", "0x40"),
    # 400 long-lived connections, one new (and one closed) a minute.
    **nodes("rabbitmq_connections", "200x40", "200x40"),
    **nodes("rabbitmq_connections_opened_total", "400+1x40", "400+1x40"),
    **nodes("rabbitmq_connections_closed_total", "0+1x40", "0+1x40"),
    **{
        f"kube_deployment_status_replicas_unavailable{{{OPERATOR.format(d)}}}": "0x40"
        for d in ("rabbitmq-cluster-operator", "messaging-topology-operator")
    },
}
NAMES = (
    "RabbitMQNodeDown",
    "RabbitMQNoMajorityOfNodesReady",
    "RabbitMQNotAllNodesReady",
    "RabbitMQMemoryAlarm",
    "RabbitMQDiskAlarm",
    "RabbitMQFileDescriptorAlarm",
    "RabbitMQFileDescriptorsNearLimit",
    "RabbitMQUnroutableMessages",
    "RabbitMQHighConnectionChurn",
    "RabbitMQOperatorUnavailable",
    "MetricAbsent",
)

RABBITMQ = [
    Scenario("healthy broker: silent, no guard", HEALTHY, [("30m", n, []) for n in NAMES]),
    Scenario(
        "one node cannot be scraped: fires after 5 minutes for that node",
        nodes("up", "1x40", "0x40", "1x40"),
        [("3m", "RabbitMQNodeDown", []), ("10m", "RabbitMQNodeDown", [node(1)])],
    ),
    Scenario(
        "one node of three not ready: a warning after 15 minutes, the majority holds",
        replicas(3, 2),
        [
            ("10m", "RabbitMQNotAllNodesReady", []),
            ("20m", "RabbitMQNotAllNodesReady", [STS_LABELS]),
            ("20m", "RabbitMQNoMajorityOfNodesReady", []),
        ],
    ),
    Scenario(
        "two nodes of three not ready: no majority, critical after 5 minutes",
        replicas(3, 1),
        [
            ("3m", "RabbitMQNoMajorityOfNodesReady", []),
            ("10m", "RabbitMQNoMajorityOfNodesReady", [STS_LABELS]),
        ],
    ),
    Scenario(
        "the single node of a sandbox broker not ready: no majority",
        replicas(1, 0),
        [("10m", "RabbitMQNoMajorityOfNodesReady", [STS_LABELS])],
    ),
    Scenario(
        "a broker scaled to zero on purpose: silent",
        replicas(0, 0),
        [
            ("20m", "RabbitMQNoMajorityOfNodesReady", []),
            ("20m", "RabbitMQNotAllNodesReady", []),
        ],
    ),
    Scenario(
        "a memory, a disk and a file-descriptor alarm on three nodes: each fires at once",
        {
            **nodes(ALARMS[0], "0 0 1x20", "0x22", "0x22"),
            **nodes(ALARMS[1], "0x22", "0 0 1x20", "0x22"),
            **nodes(ALARMS[2], "0x22", "0x22", "0 0 1x20"),
        },
        [
            ("1m", "RabbitMQMemoryAlarm", []),
            ("5m", "RabbitMQMemoryAlarm", [node(0)]),
            ("5m", "RabbitMQDiskAlarm", [node(1)]),
            ("5m", "RabbitMQFileDescriptorAlarm", [node(2)]),
        ],
    ),
    Scenario(
        "a node at 90% of its file descriptors: fires after 10 minutes",
        {
            **nodes("rabbitmq_process_open_fds", "100x40", "900x40"),
            **nodes("rabbitmq_process_max_fds", "1000x40", "1000x40"),
        },
        [
            ("5m", "RabbitMQFileDescriptorsNearLimit", []),
            ("15m", "RabbitMQFileDescriptorsNearLimit", [node(1)]),
        ],
    ),
    Scenario(
        "messages dropped as unroutable: fires",
        {
            **nodes("rabbitmq_global_messages_unroutable_dropped_total", "0+5x40"),
            **nodes("rabbitmq_global_messages_unroutable_returned_total", "0x40"),
        },
        [("15m", "RabbitMQUnroutableMessages", [{"namespace": "messaging"}])],
    ),
    Scenario(
        "messages returned to publishers as unroutable: fires",
        {
            **nodes("rabbitmq_global_messages_unroutable_dropped_total", "0x40"),
            **nodes("rabbitmq_global_messages_unroutable_returned_total", "0 0+2x40"),
        },
        [
            ("2m", "RabbitMQUnroutableMessages", []),
            ("15m", "RabbitMQUnroutableMessages", [{"namespace": "messaging"}]),
        ],
    ),
    Scenario(
        "200 connections, 40 opened and closed a second: churn fires",
        {
            **nodes("rabbitmq_connections", "200x40"),
            **nodes("rabbitmq_connections_opened_total", "0+1200x40"),
            **nodes("rabbitmq_connections_closed_total", "0+1200x40"),
        },
        [("20m", "RabbitMQHighConnectionChurn", [{"namespace": "messaging"}])],
    ),
    Scenario(
        "the same churn with only 50 connections: too few to matter, silent",
        {
            **nodes("rabbitmq_connections", "50x40"),
            **nodes("rabbitmq_connections_opened_total", "0+1200x40"),
            **nodes("rabbitmq_connections_closed_total", "0+1200x40"),
        },
        [("20m", "RabbitMQHighConnectionChurn", [])],
    ),
    Scenario(
        "the topology operator has no available replica: fires after 5 minutes",
        {
            f"kube_deployment_status_replicas_unavailable{{{OPERATOR.format(d)}}}": value
            for d, value in (
                ("rabbitmq-cluster-operator", "0x40"),
                ("messaging-topology-operator", "1x40"),
            )
        },
        [
            ("3m", "RabbitMQOperatorUnavailable", []),
            (
                "10m",
                "RabbitMQOperatorUnavailable",
                [{"namespace": "rabbitmq-system", "deployment": "messaging-topology-operator"}],
            ),
        ],
    ),
    Scenario(
        "no RabbitMQ metrics at all: a guard per metric fires",
        {},
        [
            (
                "20m",
                "MetricAbsent",
                absent(
                    "kube_deployment_status_replicas_unavailable",
                    "kube_statefulset_replicas",
                    "kube_statefulset_status_replicas_ready",
                    "rabbitmq_alarms_file_descriptor_limit",
                    "rabbitmq_alarms_free_disk_space_watermark",
                    "rabbitmq_alarms_memory_used_watermark",
                    "rabbitmq_connections",
                    "rabbitmq_connections_closed_total",
                    "rabbitmq_connections_opened_total",
                    "rabbitmq_global_messages_unroutable_dropped_total",
                    "rabbitmq_global_messages_unroutable_returned_total",
                    "rabbitmq_process_max_fds",
                    "rabbitmq_process_open_fds",
                    "up",
                ),
            )
        ],
    ),
]
