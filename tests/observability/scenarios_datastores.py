"""promtool scenarios for the CloudNativePG and Valkey alerts (see scenarios.py)."""

from __future__ import annotations

from tests.observability.scenarios import Scenario, absent

PG = 'namespace="databases", pod="wildside-pg-{}"'
PVC = 'namespace="databases", persistentvolumeclaim="wildside-pg-{}"'


def pg(metric: str, pod: int | str, value: str) -> tuple[str, str]:
    return f"{metric}{{{PG.format(pod)}}}", value


def pvc(volume: str, available: int) -> dict[str, str]:
    labels = PVC.format(volume)
    return {
        f"kubelet_volume_stats_available_bytes{{{labels}}}": f"{available}x30",
        f"kubelet_volume_stats_capacity_bytes{{{labels}}}": "100x30",
    }


HEALTHY_PG = dict(
    [
        pg("cnpg_collector_up", 1, "1x30"),
        pg("cnpg_collector_up", 2, "1x30"),
        pg("cnpg_pg_replication_lag", 1, "0x30"),
        pg("cnpg_pg_replication_lag", 2, "2x30"),
        # The primary archived after its last failure; the replica reports -1.
        pg("cnpg_pg_stat_archiver_last_failed_time", 1, "100x30"),
        pg("cnpg_pg_stat_archiver_last_archived_time", 1, "900x30"),
        pg("cnpg_pg_stat_archiver_last_failed_time", 2, "-1x30"),
        pg("cnpg_pg_stat_archiver_last_archived_time", 2, "-1x30"),
        pg("cnpg_collector_last_available_backup_timestamp", 1, "0+60x30"),
    ]
)

CNPG = [
    Scenario(
        "healthy cluster: silent, no guard",
        {**HEALTHY_PG, **pvc("1", 60), **pvc("1-wal", 70)},
        [
            ("25m", name, [])
            for name in (
                "CNPGInstanceDown",
                "CNPGClusterOffline",
                "CNPGClusterHighReplicationLag",
                "CNPGWalArchivingFailing",
                "CNPGClusterLowDiskSpace",
                "CNPGLastBackupTooOld",
                "MetricAbsent",
            )
        ],
    ),
    Scenario(
        "one instance down: instance alert only; another cluster's pod is ignored",
        {
            **dict([pg("cnpg_collector_up", 1, "0x30"), pg("cnpg_collector_up", 2, "1x30")]),
            'cnpg_collector_up{namespace="databases", pod="other-pg-1"}': "0x30",
        },
        [
            ("3m", "CNPGInstanceDown", []),
            ("10m", "CNPGInstanceDown", [{"namespace": "databases", "pod": "wildside-pg-1"}]),
            ("10m", "CNPGClusterOffline", []),
        ],
    ),
    Scenario(
        "every instance down: the cluster is offline",
        dict([pg("cnpg_collector_up", 1, "0x30"), pg("cnpg_collector_up", 2, "0x30")]),
        [("10m", "CNPGClusterOffline", [{}])],
    ),
    Scenario(
        "a replica 60 s behind: lag fires",
        dict([pg("cnpg_pg_replication_lag", 1, "0x30"), pg("cnpg_pg_replication_lag", 2, "60x30")]),
        [
            (
                "10m",
                "CNPGClusterHighReplicationLag",
                [{"namespace": "databases", "pod": "wildside-pg-2"}],
            )
        ],
    ),
    Scenario(
        "the primary failed to archive after its last success: fires",
        dict(
            [
                pg("cnpg_pg_stat_archiver_last_failed_time", 1, "1000x30"),
                pg("cnpg_pg_stat_archiver_last_archived_time", 1, "900x30"),
            ]
        ),
        [
            ("5m", "CNPGWalArchivingFailing", []),
            (
                "15m",
                "CNPGWalArchivingFailing",
                [{"namespace": "databases", "pod": "wildside-pg-1"}],
            ),
        ],
    ),
    Scenario(
        "the data volume 90% full: fires for that claim only",
        {**pvc("1", 10), **pvc("1-wal", 50)},
        [
            (
                "10m",
                "CNPGClusterLowDiskSpace",
                [{"namespace": "databases", "persistentvolumeclaim": "wildside-pg-1"}],
            )
        ],
    ),
    Scenario(
        "no backup for 28 hours: fires; fresh backups were silent",
        dict([pg("cnpg_collector_last_available_backup_timestamp", 1, "0x1700")]),
        [
            ("20h", "CNPGLastBackupTooOld", []),
            ("28h", "CNPGLastBackupTooOld", [{"namespace": "databases"}]),
        ],
    ),
    Scenario(
        "no CloudNativePG metrics: a guard per metric fires",
        {},
        [
            (
                "20m",
                "MetricAbsent",
                absent(
                    "cnpg_collector_last_available_backup_timestamp",
                    "cnpg_collector_up",
                    "cnpg_pg_replication_lag",
                    "cnpg_pg_stat_archiver_last_archived_time",
                    "cnpg_pg_stat_archiver_last_failed_time",
                    "kubelet_volume_stats_available_bytes",
                    "kubelet_volume_stats_capacity_bytes",
                ),
            )
        ],
    ),
]

VALKEY_POD = 'namespace="valkey", pod="wildside-valkey-0"'
VALKEY = [
    Scenario(
        "server up: silent",
        {f"redis_up{{{VALKEY_POD}}}": "1x30"},
        [("20m", "ValkeyDown", []), ("20m", "MetricAbsent", [])],
    ),
    Scenario(
        "exporter cannot reach the server: fires after 5 minutes",
        {f"redis_up{{{VALKEY_POD}}}": "0x30"},
        [
            ("3m", "ValkeyDown", []),
            ("10m", "ValkeyDown", [{"namespace": "valkey", "pod": "wildside-valkey-0"}]),
        ],
    ),
    Scenario("no exporter: the guard fires", {}, [("20m", "MetricAbsent", absent("redis_up"))]),
]
