"""Capacity checked before anything is applied: do the node pools hold the platform?

Sums the requests of every workload the enabled components declare (the values
we set; ``wildside_constructs.capacity``) and compares them, with headroom,
with what the node pools can allocate. Pools with a ``NoSchedule`` or
``NoExecute`` taint are left out (platform pods carry no tolerations), and an
autoscaled pool counts at its ``max_nodes``, since pending pods make it grow.
"""

from __future__ import annotations

from app.config.errors import Problem
from app.config.model import NodePool, WildsideConfig
from wildside_constructs.capacity import NodeSize, Workload, node_size, node_sizes, workloads_of

__all__ = ["capacity_problems"]


def _nodes(pool: NodePool) -> int:
    if pool.auto_scale:
        return pool.max_nodes or 0
    return pool.count or 0


def _schedulable(pool: NodePool) -> bool:
    return not any(taint.effect in ("NoSchedule", "NoExecute") for taint in pool.taints)


def _gib(mib: int) -> str:
    return f"{mib / 1024:.1f} GiB"


def _too_big(name: str, resource: str, asked: str, room: str) -> Problem:
    return Problem(
        "node_pools",
        f"one {name} pod requests {asked} {resource} but the largest schedulable node can "
        f"allocate {room}; choose a larger size or lower its {resource} request",
    )


def _pod_problems(workloads: list[Workload], sizes: list[NodeSize]) -> list[Problem]:
    """A pod larger than every schedulable node never starts, however many nodes there are."""
    running = [w for w in workloads if w.replicas > 0]
    if not running:
        return []
    # Exact MiB and millicores here: the pod either fits on one node or it does not,
    # and rounding both sides to a tenth of a GiB can print equal figures.
    problems: list[Problem] = []
    room = max((size.allocatable_memory for size in sizes), default=0)
    big = max(running, key=lambda w: (w.pod_memory, w.name))
    if big.pod_memory > room:
        problems.append(_too_big(big.name, "memory", f"{big.pod_memory} MiB", f"{room} MiB"))
    room = max((size.allocatable_cpu for size in sizes), default=0)
    big = max(running, key=lambda w: (w.pod_cpu, w.name))
    if big.pod_cpu > room:
        problems.append(_too_big(big.name, "CPU", f"{big.pod_cpu}m", f"{room}m"))
    return problems


def capacity_problems(config: WildsideConfig) -> list[Problem]:
    sizes: list[tuple[NodePool, NodeSize]] = []
    problems: list[Problem] = []
    for index, pool in enumerate(config.node_pools):
        size = node_size(pool.size)
        if size is None:
            known = ", ".join(sorted(node_sizes()["sizes"]))
            problems.append(
                Problem(
                    f"node_pools[{index}].size",
                    f"{pool.size!r} is not a known Droplet size, so capacity cannot be checked; "
                    f"use one of {known}, or add it to wildside_constructs/node_sizes.toml",
                )
            )
        elif _schedulable(pool):
            sizes.append((pool, size))
    if problems:
        return problems
    enabled = config.components.enabled()
    workloads = workloads_of((key, config.settings[key]) for key in enabled)
    if not workloads:
        return []
    headroom = 1 + float(node_sizes()["headroom"]["share"])
    need_cpu = round(sum(w.cpu for w in workloads) * headroom)
    need_memory = round(sum(w.memory for w in workloads) * headroom)
    have_cpu = sum(_nodes(pool) * size.allocatable_cpu for pool, size in sizes)
    have_memory = sum(_nodes(pool) * size.allocatable_memory for pool, size in sizes)
    pools = ", ".join(f"{pool.name} ({_nodes(pool)} x {pool.size})" for pool, _size in sizes)
    short = []
    if need_cpu > have_cpu:
        short.append(f"{need_cpu - have_cpu}m CPU")
    if need_memory > have_memory:
        short.append(_gib(need_memory - have_memory) + " memory")
    if short:
        biggest = sorted(workloads, key=lambda w: (w.memory, w.cpu), reverse=True)[:3]
        top = ", ".join(f"{w.name} x{w.replicas}" for w in biggest)
        problems.append(
            Problem(
                "node_pools",
                f"the platform requests {need_cpu}m CPU and {_gib(need_memory)} (with "
                f"{round((headroom - 1) * 100)}% headroom) but {pools or 'no schedulable pool'} "
                f"can allocate {have_cpu}m CPU and {_gib(have_memory)}: short by "
                f"{' and '.join(short)} (largest: {top}); add nodes, choose a larger size, "
                "or lower replicas/requests",
            )
        )
    problems.extend(_pod_problems(workloads, [size for _pool, size in sizes]))
    return problems
