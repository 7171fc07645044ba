"""The appliance's name: an A record for the load balancer in a DigitalOcean DNS zone."""

from __future__ import annotations

from cdktf_cdktf_provider_digitalocean.record import Record
from constructs import Construct

from wildside_constructs.cluster.values import Ref, text


class VaultDnsRecord(Construct):
    """``<record>.<domain>``; the certificate is issued for the same name."""

    def __init__(
        self, scope: Construct, id: str, *, domain: str | Ref, record: str | Ref, ip: str
    ) -> None:
        super().__init__(scope, id)
        self.record = Record(
            self, "record", domain=text(domain), type="A", name=text(record), value=ip, ttl=300
        )
