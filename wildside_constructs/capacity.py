"""What the platform asks of its nodes: workloads, their requests, and node sizes.

Each component's settings may offer ``workloads()``: the pods it runs with the
requests *we* set (chart defaults we do not set are not counted, and say so).
The node side comes from ``node_sizes.toml``: a Droplet slug's CPUs and memory,
less what Kubernetes reserves for itself and what DOKS' own DaemonSets request.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from wildside_constructs.settings.common import Resources

__all__ = [
    "NodeSize",
    "Workload",
    "cpu_millis",
    "memory_mib",
    "node_size",
    "node_sizes",
    "workloads_of",
]

SIZES_FILE = Path(__file__).with_name("node_sizes.toml")
_CPU = re.compile(r"^([0-9]+(?:\.[0-9]+)?)(m?)$")
_MEMORY = re.compile(r"^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$")
_BYTES = {
    None: 1,
    "k": 1000,
    "M": 1000**2,
    "G": 1000**3,
    "T": 1000**4,
    "Ki": 1024,
    "Mi": 1024**2,
    "Gi": 1024**3,
    "Ti": 1024**4,
}


def cpu_millis(quantity: str) -> int:
    match = _CPU.match(quantity)
    if not match:
        raise ValueError(f"{quantity!r} is not a CPU quantity")
    value = float(match.group(1))
    return round(value if match.group(2) else value * 1000)


def memory_mib(quantity: str) -> int:
    match = _MEMORY.match(quantity)
    if not match:
        raise ValueError(f"{quantity!r} is not a memory quantity")
    return round(float(match.group(1)) * _BYTES[match.group(2)] / 1024**2)


@dataclass(frozen=True)
class Workload:
    """``replicas`` pods, each requesting ``resources``."""

    name: str
    replicas: int
    resources: Resources

    @property
    def pod_cpu(self) -> int:
        return cpu_millis(self.resources.cpu_request)

    @property
    def pod_memory(self) -> int:
        return memory_mib(self.resources.memory_request)

    @property
    def cpu(self) -> int:
        return self.replicas * self.pod_cpu

    @property
    def memory(self) -> int:
        return self.replicas * self.pod_memory


@dataclass(frozen=True)
class NodeSize:
    slug: str
    vcpus: int
    memory_mib: int

    @property
    def allocatable_cpu(self) -> int:
        """Millicores left for pods once the kubelet's reservation and DOKS' DaemonSets are out."""
        table = node_sizes()
        return (
            self.vcpus * 1000
            - _tiered(self.vcpus * 1000, table["cpu_reserved"])
            - int(table["daemonsets"]["cpu_millis"])
        )

    @property
    def allocatable_memory(self) -> int:
        table = node_sizes()
        reserved = _tiered(self.memory_mib, table["memory_reserved"])
        eviction = int(table["memory_reserved"]["eviction_mib"])
        return self.memory_mib - reserved - eviction - int(table["daemonsets"]["memory_mib"])


def _tiered(amount: int, table: dict[str, Any]) -> int:
    """The reservation of the tiered formula: a share of each successive band."""
    reserved = 0.0
    lower = 0
    for upper, share in table["tiers"]:
        band = min(amount, upper) - lower
        if band <= 0:
            break
        reserved += band * share
        lower = upper
    return round(reserved)


@cache
def node_sizes() -> dict[str, Any]:
    with SIZES_FILE.open("rb") as handle:
        loaded: dict[str, Any] = tomllib.load(handle)
    return loaded


def node_size(slug: str) -> NodeSize | None:
    entry = node_sizes()["sizes"].get(slug)
    if entry is None:
        return None
    return NodeSize(slug, int(entry["vcpus"]), int(entry["memory_mib"]))


def workloads_of(settings: Iterable[tuple[str, Any]]) -> list[Workload]:
    """Every workload the enabled components declare, named ``<key>/<workload>``."""
    found: list[Workload] = []
    for key, value in settings:
        declare = getattr(value, "workloads", None)
        if declare is None:
            continue
        for workload in declare():
            found.append(Workload(f"{key}/{workload.name}", workload.replicas, workload.resources))
    return found
