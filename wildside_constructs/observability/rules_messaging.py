"""Alerts for RabbitMQ: the broker's nodes, its resource alarms, its clients and the operators.

They adapt the rules rabbitmq/cluster-operator publishes in
``observability/prometheus/rules/`` (read at tag v2.22.3, commit 03e0b49c;
MPL-2.0), keeping their names with a ``RabbitMQ`` prefix. Upstream joins each
series with ``rabbitmq_identity_info`` to find the cluster; ours select one
broker by ``namespace`` and its pod-name pattern (the operator names the
StatefulSet ``<cluster>-server``), as the CloudNativePG alerts do, and the
readiness alerts read kube-state-metrics by StatefulSet name rather than by
pod labels, which kube-state-metrics does not export by default.

Every metric here is on the plugin's default aggregated ``/metrics`` endpoint
of RabbitMQ 4.2 (the operator's default image): node totals, alarms and the
global protocol counters. Per-queue alerts (a queue without consumers, a
growing queue) need ``/metrics/detailed`` or per-object metrics, which cost a
scrape proportional to the number of queues; they are left out. Upstream's
alarm alerts are warnings; ours are critical, because each alarm blocks every
publisher in the cluster.
"""

from __future__ import annotations

from wildside_constructs.observability.alerting import Alert

SOURCE = "rabbitmq/cluster-operator observability/prometheus/rules/{} (v2.22.3, MPL-2.0)"
DOCS = "https://www.rabbitmq.com/docs"
OPERATORS = ("rabbitmq-cluster-operator", "messaging-topology-operator")


def _alarm(name: str, metric: str, what: str, check: str, docs: str) -> Alert:
    return Alert(
        name=f"RabbitMQ{name}Alarm",
        # max_over_time keeps a flapping alarm firing, as upstream's keep_firing_for does.
        expr=f"max by (namespace, pod) (max_over_time({metric}[5m])) > 0",
        for_="1m",
        severity="critical",
        summary=f"A RabbitMQ node raised its {what} alarm: publishers are blocked cluster-wide.",
        runbook=check,
        runbook_url=f"{DOCS}/{docs}",
        metrics=(metric.split("{", 1)[0],),
        source=SOURCE.format("rabbitmq/cluster-alarms.yml"),
    )


def rabbitmq_alerts(namespace: str, name: str, operator_namespace: str) -> list[Alert]:
    pods = f'namespace="{namespace}", pod=~"{name}-server-[0-9]+"'
    sts = f'namespace="{namespace}", statefulset="{name}-server"'
    describe = f"`kubectl -n {namespace} describe rabbitmqcluster {name}`"
    return [
        Alert(
            name="RabbitMQNodeDown",
            expr=f"max by (namespace, pod) (up{{{pods}}}) == 0",
            for_="5m",
            severity="critical",
            summary=f"Prometheus cannot scrape a node of RabbitMQ {name}: it is down or hung.",
            runbook=(
                f"`kubectl -n {namespace} get pods -l app.kubernetes.io/name={name}`; the "
                "node's logs (`kubectl logs <pod> -c rabbitmq`): an alarm, a paused "
                "minority after a partition, or a failed boot. Then the scrape itself: the "
                "allow-metrics NetworkPolicy and the certificate (Prometheus > Targets)."
            ),
            metrics=("up",),
        ),
        Alert(
            name="RabbitMQNoMajorityOfNodesReady",
            expr=(
                f"kube_statefulset_status_replicas_ready{{{sts}}} "
                f"<= kube_statefulset_replicas{{{sts}}} / 2 "
                f"unless kube_statefulset_replicas{{{sts}}} == 0"
            ),
            for_="5m",
            severity="critical",
            summary=(
                f"Half or more of the nodes of RabbitMQ {name} are not ready: quorum "
                "queues have lost their majority and stop accepting messages."
            ),
            runbook=(
                f"{describe}, then `kubectl -n {namespace} describe pods -l "
                f"app.kubernetes.io/name={name}`: scheduling, volumes, OOM kills, or a "
                "network partition (pause_minority pauses the smaller side)."
            ),
            metrics=("kube_statefulset_replicas", "kube_statefulset_status_replicas_ready"),
            source=SOURCE.format("rabbitmq/no-majority-of-nodes-ready.yml"),
        ),
        Alert(
            name="RabbitMQNotAllNodesReady",
            expr=(
                f"kube_statefulset_status_replicas_ready{{{sts}}} "
                f"< kube_statefulset_replicas{{{sts}}}"
            ),
            for_="15m",
            severity="warning",
            summary=f"A node of RabbitMQ {name} has not been ready for 15 minutes.",
            runbook=(
                f"`kubectl -n {namespace} get pods -l app.kubernetes.io/name={name}` and the "
                "unready pod's events and logs; one node down is survivable with 3 replicas, "
                "a second one is not."
            ),
            metrics=("kube_statefulset_replicas", "kube_statefulset_status_replicas_ready"),
        ),
        _alarm(
            "Memory",
            f"rabbitmq_alarms_memory_used_watermark{{{pods}}}",
            "memory",
            "Find the node's memory breakdown (`rabbitmq-diagnostics memory_breakdown` in "
            "the pod): queues holding many messages, many connections or channels. Drain "
            "the backlog or raise `rabbitmq.resources` memory (the watermark follows it).",
            "memory",
        ),
        _alarm(
            "Disk",
            f"rabbitmq_alarms_free_disk_space_watermark{{{pods}}}",
            "free-disk",
            "Free disk is below disk_free_limit (2 GB by default): drain queues with "
            "backlogs, then grow `rabbitmq.storage_size` in the configuration and deploy "
            "(the storage class allows expansion).",
            "disk-alarms",
        ),
        _alarm(
            "FileDescriptor",
            f"rabbitmq_alarms_file_descriptor_limit{{{pods}}}",
            "file-descriptor",
            "The node ran out of file descriptors: look for a client opening connections "
            "without closing them (`rabbitmq-diagnostics list_connections` in the pod) and "
            "for RabbitMQHighConnectionChurn.",
            "alarms#file-descriptors",
        ),
        Alert(
            name="RabbitMQFileDescriptorsNearLimit",
            expr=(
                f"max by (namespace, pod) (rabbitmq_process_open_fds{{{pods}}} "
                f"/ rabbitmq_process_max_fds{{{pods}}}) > 0.8"
            ),
            for_="10m",
            severity="warning",
            summary="A RabbitMQ node uses more than 80% of its file descriptors.",
            runbook=(
                "Count connections per client (`rabbitmq-diagnostics list_connections "
                "user peer_host` in the pod); a leaking client or connection churn is the "
                "usual cause. At 100% new connections are refused."
            ),
            metrics=("rabbitmq_process_max_fds", "rabbitmq_process_open_fds"),
            source=SOURCE.format("rabbitmq/file-descriptors-near-limit.yml"),
        ),
        Alert(
            name="RabbitMQUnroutableMessages",
            expr=(
                "sum by (namespace) (increase("
                f"rabbitmq_global_messages_unroutable_dropped_total{{{pods}}}[5m])) >= 1 "
                "or sum by (namespace) (increase("
                f"rabbitmq_global_messages_unroutable_returned_total{{{pods}}}[5m])) >= 1"
            ),
            for_="5m",
            severity="warning",
            summary=f"Messages published to RabbitMQ {name} match no binding: they are "
            "dropped or returned to the publisher.",
            runbook=(
                "A publisher uses an exchange or routing key no queue is bound to: compare "
                "the application's exchange and routing keys with the bindings "
                "(`rabbitmqctl list_bindings -p <vhost>`); a missing Queue or Binding object."
            ),
            runbook_url=f"{DOCS}/publishers#unroutable",
            metrics=(
                "rabbitmq_global_messages_unroutable_dropped_total",
                "rabbitmq_global_messages_unroutable_returned_total",
            ),
            source=SOURCE.format("rabbitmq/unroutable-messages.yml"),
        ),
        Alert(
            name="RabbitMQHighConnectionChurn",
            # Below 100 connections, churn is noise (upstream's threshold too).
            expr=(
                "(sum by (namespace) (rate(rabbitmq_connections_opened_total"
                f"{{{pods}}}[5m])) + sum by (namespace) (rate("
                f"rabbitmq_connections_closed_total{{{pods}}}[5m]))) "
                f"/ sum by (namespace) (rabbitmq_connections{{{pods}}}) > 0.1 "
                f"unless sum by (namespace) (rabbitmq_connections{{{pods}}}) < 100"
            ),
            for_="10m",
            severity="warning",
            summary=f"More than 10% of the connections to RabbitMQ {name} open or close "
            "every second: clients connect per message instead of keeping a connection.",
            runbook=(
                "Find the client opening short-lived connections (`rabbitmq-diagnostics "
                "list_connections user peer_host connected_at` in a pod) and make it reuse "
                "one long-lived connection; churn costs CPU and file descriptors."
            ),
            runbook_url=f"{DOCS}/connections#high-connection-churn",
            metrics=(
                "rabbitmq_connections",
                "rabbitmq_connections_closed_total",
                "rabbitmq_connections_opened_total",
            ),
            source=SOURCE.format("rabbitmq/high-connection-churn.yml"),
        ),
        Alert(
            name="RabbitMQOperatorUnavailable",
            expr=(
                "kube_deployment_status_replicas_unavailable"
                f'{{namespace="{operator_namespace}", deployment=~"{"|".join(OPERATORS)}"}} > 0'
            ),
            for_="5m",
            severity="warning",
            summary="A RabbitMQ operator has no available replica: changes to the broker "
            "or its vhosts, users and permissions are not applied.",
            runbook=(
                f"`kubectl -n {operator_namespace} describe deployment <deployment>` and the "
                "pod's logs: an image pull failure, or its webhook certificate from "
                "cert-manager missing. The broker keeps serving meanwhile."
            ),
            metrics=("kube_deployment_status_replicas_unavailable",),
            source=SOURCE.format("rabbitmq-cluster-operator/unavailable-replicas.yml"),
        ),
    ]
