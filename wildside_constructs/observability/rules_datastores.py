"""Alerts for CloudNativePG and Valkey.

The CloudNativePG alerts adapt the rules the project publishes with its
``cluster`` chart (cloudnative-pg/charts ``charts/cluster/prometheus_rules/``,
read at commits 0ecf0cfc (cluster-offline), 0e26b381 (high_replication_lag),
1a870839 (low_disk_space-warning) and bd5ff7c2 (backup_failed); Apache-2.0),
keeping their names and runbook links. Those templates select one cluster by
``namespace`` and a pod-name pattern; so do these. WAL archiving and backup age
compare ``pg_stat_archiver`` and the collector's backup timestamps, which
CloudNativePG exports by default.

Valkey has no upstream rules; the operator's exporter sidecar is
redis_exporter, whose ``redis_up`` is 0 when it cannot reach the server.
"""

from __future__ import annotations

from wildside_constructs.observability.alerting import Alert

CNPG_RUNBOOKS = "https://github.com/cloudnative-pg/charts/blob/main/charts/cluster/docs/runbooks"
CNPG_SOURCE = "cloudnative-pg/charts charts/cluster/prometheus_rules/{} (Apache-2.0)"


def cnpg_alerts(
    namespace: str,
    cluster: str,
    *,
    backup_max_age_hours: int | None,
    max_lag_seconds: int = 30,
    disk_used_ratio: float = 0.8,
) -> list[Alert]:
    pods = f'namespace="{namespace}", pod=~"{cluster}-[0-9]+"'
    volumes = f'namespace="{namespace}", persistentvolumeclaim=~"{cluster}-[0-9]+(-wal)?"'
    alerts = [
        Alert(
            name="CNPGInstanceDown",
            expr=f"max by (namespace, pod) (cnpg_collector_up{{{pods}}}) == 0",
            for_="5m",
            severity="critical",
            summary=f"A PostgreSQL instance of cluster {cluster} is not running.",
            runbook=(
                f"`kubectl cnpg status {cluster} -n {namespace}`; then the pod's events "
                "and logs (`kubectl logs <pod>`): storage full, OOM or a failed switchover."
            ),
            metrics=("cnpg_collector_up",),
        ),
        Alert(
            name="CNPGClusterOffline",
            expr=f"(count(cnpg_collector_up{{{pods}}} == 1) or on() vector(0)) == 0",
            for_="5m",
            severity="critical",
            summary=f"Cluster {cluster} has no running instance: the database is down.",
            runbook=f"See the runbook; start with `kubectl cnpg status {cluster} -n {namespace}`.",
            runbook_url=f"{CNPG_RUNBOOKS}/CNPGClusterOffline.md",
            metrics=("cnpg_collector_up",),
            source=CNPG_SOURCE.format("cluster-offline.yaml"),
        ),
        Alert(
            name="CNPGClusterHighReplicationLag",
            expr=f"max by (namespace, pod) (cnpg_pg_replication_lag{{{pods}}}) > {max_lag_seconds}",
            for_="5m",
            severity="warning",
            summary=f"A replica of {cluster} is more than {max_lag_seconds}s behind the primary.",
            runbook=(
                "Check the replica's disk and CPU, long-running queries on the primary "
                "and the network between nodes; see the runbook."
            ),
            runbook_url=f"{CNPG_RUNBOOKS}/CNPGClusterHighReplicationLag.md",
            metrics=("cnpg_pg_replication_lag",),
            source=CNPG_SOURCE.format("cluster-high_replication_lag.yaml"),
        ),
        Alert(
            name="CNPGWalArchivingFailing",
            # Only the primary archives; replicas report -1 for both timestamps.
            expr=(
                f"cnpg_pg_stat_archiver_last_failed_time{{{pods}}} "
                f"> cnpg_pg_stat_archiver_last_archived_time{{{pods}}}"
            ),
            for_="10m",
            severity="critical",
            summary=f"WAL archiving of {cluster} is failing: point-in-time recovery is frozen.",
            runbook=(
                f"`kubectl cnpg status {cluster} -n {namespace}` shows the archiver error; "
                "check the backup bucket credentials (ExternalSecret from Vault), the "
                "bucket itself and the endpoint."
            ),
            metrics=(
                "cnpg_pg_stat_archiver_last_archived_time",
                "cnpg_pg_stat_archiver_last_failed_time",
            ),
        ),
        Alert(
            name="CNPGClusterLowDiskSpace",
            expr=(
                "max by (namespace, persistentvolumeclaim) "
                f"(1 - kubelet_volume_stats_available_bytes{{{volumes}}} "
                f"/ kubelet_volume_stats_capacity_bytes{{{volumes}}}) > {disk_used_ratio}"
            ),
            for_="5m",
            severity="critical",
            summary=f"A volume of {cluster} is more than {disk_used_ratio:.0%} full.",
            runbook=(
                "Grow `cnpg.storage_size` in the configuration (the storage class "
                "allows expansion) and deploy; check for WAL piling up when archiving fails."
            ),
            runbook_url=f"{CNPG_RUNBOOKS}/CNPGClusterLowDiskSpaceWarning.md",
            metrics=("kubelet_volume_stats_available_bytes", "kubelet_volume_stats_capacity_bytes"),
            source=CNPG_SOURCE.format("cluster-low_disk_space-warning.yaml"),
        ),
    ]
    if backup_max_age_hours is not None:
        alerts.append(
            Alert(
                name="CNPGLastBackupTooOld",
                # 0 (no backup yet) is older than any threshold, as it should be.
                expr=(
                    "time() - max by (namespace) "
                    f"(cnpg_collector_last_available_backup_timestamp{{{pods}}}) "
                    f"> {backup_max_age_hours} * 3600"
                ),
                for_="30m",
                severity="critical",
                summary=f"The last successful base backup of {cluster} is older than "
                f"{backup_max_age_hours} hours.",
                runbook=(
                    f"`kubectl -n {namespace} get backups` for the latest failed Backup and "
                    "its error; check the ScheduledBackup, bucket credentials and space."
                ),
                metrics=("cnpg_collector_last_available_backup_timestamp",),
                source=CNPG_SOURCE.format("cluster-backup_failed.yaml"),
            )
        )
    return alerts


def valkey_alerts(namespace: str, name: str) -> list[Alert]:
    return [
        Alert(
            name="ValkeyDown",
            expr=f'max by (namespace, pod) (redis_up{{namespace="{namespace}"}}) == 0',
            for_="5m",
            severity="critical",
            summary=f"The exporter beside Valkey {name} cannot reach the server.",
            runbook=(
                f"`kubectl -n {namespace} get valkey {name}` and its pods; the server "
                "container's logs (OOM, persistence errors) and the password Secret."
            ),
            metrics=("redis_up",),
        ),
    ]
