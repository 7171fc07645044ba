"""cluster-stack: the DOKS cluster, applied with ``cdktf deploy cluster-stack``."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformOutput, TerraformStack
from cdktf_cdktf_provider_digitalocean.provider import DigitaloceanProvider
from constructs import Construct

from stacks.backend import local_backend
from wildside_constructs.cluster.doks import DoksCluster, DoksClusterProps


@dataclass(frozen=True)
class ClusterStackProps:
    cluster: DoksClusterProps


class ClusterStack(TerraformStack):
    def __init__(self, scope: Construct, id: str, *, props: ClusterStackProps) -> None:
        super().__init__(scope, id)
        local_backend(self, id)
        # No token argument: the provider reads DIGITALOCEAN_TOKEN itself, so the
        # credential never enters the synthesised JSON or the state.
        DigitaloceanProvider(self, "digitalocean")
        self.doks = DoksCluster(self, "doks", props=props.cluster)
        cluster = self.doks.cluster
        TerraformOutput(self, "cluster_id", value=cluster.id)
        TerraformOutput(self, "cluster_urn", value=cluster.urn)
        TerraformOutput(self, "cluster_endpoint", value=cluster.endpoint)
