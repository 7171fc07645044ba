"""An optional VPC for the cluster, protected like the cluster itself."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_digitalocean.vpc import Vpc
from constructs import Construct

from wildside_constructs.cluster.values import Ref, text


@dataclass(frozen=True)
class DoksVpcSettings:
    cluster_name: str | Ref
    region: str | Ref
    # Empty lets DigitalOcean choose a free range.
    ip_range: str | Ref = ""
    allow_destroy: bool = False


class DoksVpc(Construct):
    """``digitalocean_vpc`` named ``<cluster>-vpc`` in the cluster's region."""

    def __init__(self, scope: Construct, id: str, *, settings: DoksVpcSettings) -> None:
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
