"""An optional VPC for the cluster, protected like the cluster itself."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_digitalocean.vpc import Vpc
from constructs import Construct

from wildside_constructs.cluster import rules
from wildside_constructs.cluster.values import Ref, at, known, text
from wildside_constructs.problems import Problem
from wildside_constructs.validation.errors import SettingsError


@dataclass(frozen=True)
class DoksVpcSettings:
    # The cluster's name (a DNS label): the VPC is named <cluster_name>-vpc.
    cluster_name: str | Ref
    # A DigitalOcean region slug such as "nyc1", the cluster's own.
    region: str | Ref
    # Empty lets DigitalOcean choose a free range.
    ip_range: str | Ref = ""
    allow_destroy: bool = False

    def problems(self, where: str = "") -> list[Problem]:
        """What the configuration refuses for ``[cluster]`` and ``[cluster.vpc]``."""
        found = rules.allow_destroy_problems(at(where, "allow_destroy"), self.allow_destroy)
        if known(self.cluster_name):
            found += rules.label_problems(
                at(where, "cluster_name"), text(self.cluster_name), rules.CLUSTER_NAME_RULE
            )
        if known(self.region):
            found += rules.region_problems(at(where, "region"), text(self.region))
        if known(self.ip_range):
            found += rules.ip_range_problems(at(where, "ip_range"), text(self.ip_range))
        return found


class DoksVpc(Construct):
    """``digitalocean_vpc`` named ``<cluster>-vpc`` in the cluster's region.

    Invalid ``settings`` raise :class:`SettingsError` before anything is added.
    """

    def __init__(self, scope: Construct, id: str, *, settings: DoksVpcSettings) -> None:
        SettingsError.check(self, settings.problems())
        super().__init__(scope, id)
        name = f"{text(settings.cluster_name)}-vpc"
        self.vpc = Vpc(
            self,
            "vpc",
            name=name,
            region=text(settings.region),
            ip_range=text(settings.ip_range) if settings.ip_range else None,
            description=f"Private network of the DOKS cluster {text(settings.cluster_name)}",
            lifecycle=TerraformResourceLifecycle(prevent_destroy=not settings.allow_destroy),
        )
        self.id = self.vpc.id
