"""Settings shared by several components."""

from __future__ import annotations

import re
from dataclasses import dataclass

from wildside_constructs.problems import Problem

_QUANTITY = re.compile(r"^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G)?$")


@dataclass(frozen=True)
class Resources:
    """Container requests and limits as Kubernetes quantities."""

    cpu_request: str = "100m"
    memory_request: str = "128Mi"
    cpu_limit: str = "500m"
    memory_limit: str = "256Mi"

    def problems(self, where: str) -> list[Problem]:
        return [
            Problem(f"{where}.{name}", f"{value!r} is not a Kubernetes quantity (e.g. 250m, 1Gi)")
            for name, value in vars(self).items()
            if not _QUANTITY.match(value)
        ]


@dataclass(frozen=True)
class SmallResources(Resources):
    """Defaults for light helper processes (webhooks, injectors, DNS sync)."""

    cpu_request: str = "50m"
    memory_request: str = "64Mi"
    cpu_limit: str = "200m"
    memory_limit: str = "128Mi"
