"""The public endpoint: a load balancer terminating TLS with a managed certificate."""

from __future__ import annotations

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_digitalocean.certificate import Certificate
from cdktf_cdktf_provider_digitalocean.loadbalancer import (
    Loadbalancer,
    LoadbalancerForwardingRule,
    LoadbalancerHealthcheck,
    LoadbalancerStickySessions,
)
from constructs import Construct

from wildside_constructs.cluster.values import text
from wildside_constructs.vault_appliance.cloud_init import API_PORT
from wildside_constructs.vault_appliance.construct_settings import VaultConstructSettings

# Unsealed active and standby nodes answer 200. A sealed or uninitialized node
# stays in rotation too, or `wildside vault bootstrap` could never reach it
# through the endpoint to initialize and unseal it; clients then see Vault's
# own "sealed" error rather than the load balancer's 503.
HEALTH_PATH = "/v1/sys/health?standbyok=true&sealedcode=200&uninitcode=200"


class VaultLoadBalancer(Construct):
    """HTTPS 443 with a Let's Encrypt certificate DigitalOcean manages (its private
    key never enters the JSON or the state), re-encrypted to the nodes on 8200;
    plain HTTP is redirected, never forwarded."""

    def __init__(
        self, scope: Construct, id: str, *, settings: VaultConstructSettings, node_tag: str
    ) -> None:
        super().__init__(scope, id)
        self.certificate = Certificate(
            self,
            "certificate",
            name=f"{text(settings.name)}-vault",
            type="lets_encrypt",
            domains=[settings.fqdn],
            # A renewed certificate must exist before the old one is released.
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
        )
        self.load_balancer = Loadbalancer(
            self,
            "lb",
            name=f"{text(settings.name)}-vault",
            region=text(settings.region),
            vpc_uuid=text(settings.vpc_uuid) if settings.vpc_uuid is not None else None,
            droplet_tag=node_tag,
            redirect_http_to_https=True,
            # One client session stays on one node: the bootstrap's init, unseal
            # and set-up calls (hvac keeps the cookie) must all reach the same node.
            sticky_sessions=LoadbalancerStickySessions(
                type="cookies", cookie_name="wildside-vault", cookie_ttl_seconds=600
            ),
            forwarding_rule=[
                LoadbalancerForwardingRule(
                    entry_port=443,
                    entry_protocol="https",
                    target_port=API_PORT,
                    target_protocol="https",
                    certificate_name=self.certificate.name,
                )
            ],
            healthcheck=LoadbalancerHealthcheck(
                protocol="https",
                port=API_PORT,
                path=HEALTH_PATH,
                check_interval_seconds=10,
                response_timeout_seconds=5,
                healthy_threshold=3,
                unhealthy_threshold=3,
            ),
            lifecycle=TerraformResourceLifecycle(prevent_destroy=not settings.allow_destroy),
        )
