"""``[vault_appliance]``: the shared Vault's Droplets, network and bootstrap.

One frozen dataclass per table, each field with its default and why. The
appliance is optional: without the table no ``vault-stack`` is synthesized.
``problems()`` names every field that cannot work, with the fix, so the
configuration loader reports them with the rest (exit code 2, nothing written).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from wildside_constructs.problems import Problem

DNS_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
REGION = re.compile(r"^[a-z]{3}[0-9]$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
VERSION = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MOUNT = re.compile(r"^[A-Za-z0-9_-]+$")
KV_PATH = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")
BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
ENDPOINT = re.compile(r"^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")
# systemd OnCalendar: a shorthand or a calendar expression of safe characters.
CALENDAR = re.compile(r"^[A-Za-z0-9*:/.,~ -]{1,64}$")
AGE_RECIPIENT = re.compile(r"^age1[02-9ac-hj-np-z]{58}$")
DURATION = re.compile(r"^[0-9]+[smh]$")
WORLD = ("0.0.0.0/0", "::/0")
MAX_NODES = 5


@dataclass(frozen=True)
class SnapshotSettings:
    """Scheduled Raft snapshots, uploaded by the active node to a Spaces bucket."""

    # Off only with intent: an appliance without backups loses every secret with its volume.
    enabled: bool = True
    bucket: str = ""
    # The Spaces region endpoint, e.g. https://nyc3.digitaloceanspaces.com.
    endpoint: str = ""
    # Signing region; Spaces accepts its own region slug (nyc3, ams3, ...).
    region: str = "us-east-1"
    prefix: str = "vault-snapshots"
    # systemd OnCalendar; "hourly" keeps at most an hour of changes at risk.
    schedule: str = "hourly"
    # KV v2 path (in bootstrap.kv_mount) holding access_key_id and secret_access_key.
    credentials_path: str = "wildside/vault-appliance/snapshot"


@dataclass(frozen=True)
class BootstrapSettings:
    """What ``wildside vault bootstrap`` creates and where it writes the keys."""

    # Empty: https://<record>.<domain>, the load balancer.
    address: str = ""
    # PEM bundle to verify the address with; empty trusts the system store (Let's Encrypt).
    ca_file: str = ""
    key_shares: int = 5
    key_threshold: int = 3
    # Operators' age public keys (age1...): every one can decrypt the init file.
    recipients: tuple[str, ...] = ()
    # Where the encrypted unseal keys and root token are written; never overwritten.
    keys_file: str = "vault-init.age"
    kv_mount: str = "secret"
    # The file audit device's log, on the node's data volume's host.
    audit_file: str = "/var/log/vault/audit.log"
    approle_mount: str = "approle"
    # The role and policy the wildside-infra-k8s action logs in with.
    role_name: str = "wildside-infra-k8s"
    token_ttl: str = "1h"  # noqa: S105 - a duration
    token_max_ttl: str = "4h"  # noqa: S105 - a duration
    # Secret IDs CI holds expire after 30 days; mint the next one before then.
    secret_id_ttl: str = "720h"  # noqa: S105 - a duration


@dataclass(frozen=True)
class VaultApplianceSettings:
    """The appliance; see docs/vault-appliance.md for sizing and HA."""

    # Names the Droplets (<name>-1 ...), volumes, tag, firewall and load balancer.
    name: str = "vault"
    region: str = "nyc3"
    # 2 vCPU / 4 GB serves a platform's CI and External Secrets comfortably.
    size: str = "s-2vcpu-4gb"
    image: str = "ubuntu-24-04-x64"
    # 1: a single node. 3 (or 5) tolerate one (two) failures; 2 is a warm standby only.
    nodes: int = 1
    volume_size_gb: int = 20
    # A zone managed in DigitalOcean DNS; the load balancer's certificate needs it.
    domain: str = ""
    record: str = "vault"
    vault_version: str = "1.17.6"
    # SHA-256 of vault_<version>-1_amd64.deb (HashiCorp's apt Packages index).
    vault_deb_sha256: str = ""
    # Extra sources (CIDR) that may reach port 8200 on the nodes directly.
    api_source_ranges: tuple[str, ...] = ()
    # Consent to 0.0.0.0/0 or ::/0 in api_source_ranges.
    allow_public_api: bool = False
    # SSH stays closed while empty; never the whole internet.
    ssh_source_ranges: tuple[str, ...] = ()
    ssh_keys: tuple[str, ...] = ()
    vpc_uuid: str = ""
    tags: tuple[str, ...] = ()
    allow_destroy: bool = False
    snapshot: SnapshotSettings = field(default_factory=SnapshotSettings)
    bootstrap: BootstrapSettings = field(default_factory=BootstrapSettings)

    @property
    def fqdn(self) -> str:
        return f"{self.record}.{self.domain}"

    @property
    def address(self) -> str:
        return self.bootstrap.address or f"https://{self.fqdn}"

    def problems(self, where: str = "vault_appliance") -> list[Problem]:
        return self.infrastructure_problems(where) + bootstrap_problems(
            self.bootstrap, f"{where}.bootstrap"
        )

    def infrastructure_problems(self, where: str = "vault_appliance") -> list[Problem]:
        """What the constructs check themselves: nodes, network and snapshots."""
        found = _node_problems(self, where)
        found += _network_problems(self, where)
        return found + _snapshot_problems(self.snapshot, f"{where}.snapshot")


def _node_problems(s: VaultApplianceSettings, where: str) -> list[Problem]:
    found: list[Problem] = []
    checks = (
        ("name", DNS_LABEL, s.name, "a DNS label (lower-case letters, digits, '-')"),
        ("region", REGION, s.region, "a region slug such as nyc3"),
        ("size", SLUG, s.size, "a Droplet size slug such as s-2vcpu-4gb"),
        ("image", SLUG, s.image, "an image slug such as ubuntu-24-04-x64"),
        ("domain", DOMAIN, s.domain, "a DNS zone managed in DigitalOcean, e.g. example.com"),
        ("record", DNS_LABEL, s.record, "a DNS label such as vault"),
        ("vault_version", VERSION, s.vault_version, "an exact release such as 1.17.6"),
        (
            "vault_deb_sha256",
            SHA256,
            s.vault_deb_sha256,
            "the SHA-256 (64 lower-case hex digits) of vault_<version>-1_amd64.deb from "
            "https://apt.releases.hashicorp.com/dists/<codename>/main/binary-amd64/Packages",
        ),
    )
    for name, pattern, value, what in checks:
        if not pattern.match(value):
            found.append(Problem(f"{where}.{name}", f"{value!r} is not {what}"))
    if not 1 <= s.nodes <= MAX_NODES:
        found.append(
            Problem(f"{where}.nodes", f"must be 1 to {MAX_NODES}; use 1, or 3 for a Raft quorum")
        )
    if s.volume_size_gb < 1:
        found.append(Problem(f"{where}.volume_size_gb", "must be at least 1 (GB)"))
    if s.vpc_uuid and not UUID.match(s.vpc_uuid):
        found.append(Problem(f"{where}.vpc_uuid", f"{s.vpc_uuid!r} is not a VPC id (a UUID)"))
    return found


def _network_problems(s: VaultApplianceSettings, where: str) -> list[Problem]:
    found = _cidrs(f"{where}.api_source_ranges", s.api_source_ranges)
    found += _cidrs(f"{where}.ssh_source_ranges", s.ssh_source_ranges)
    public = [r for r in s.api_source_ranges if r in WORLD]
    if public and not s.allow_public_api:
        found.append(
            Problem(
                f"{where}.api_source_ranges",
                f"{', '.join(public)} opens Vault's API to the whole internet; list the "
                "networks that need it, or set allow_public_api = true to consent",
            )
        )
    if any(r in WORLD for r in s.ssh_source_ranges):
        found.append(
            Problem(
                f"{where}.ssh_source_ranges",
                "SSH is never open to the whole internet; list your bastion's or VPN's range",
            )
        )
    if s.ssh_source_ranges and not s.ssh_keys:
        found.append(
            Problem(f"{where}.ssh_keys", "SSH is open but no key is listed; add key fingerprints")
        )
    return found


def _cidrs(where: str, ranges: tuple[str, ...]) -> list[Problem]:
    found: list[Problem] = []
    for index, text in enumerate(ranges):
        try:
            ipaddress.ip_network(text, strict=True)
        except ValueError:
            found.append(
                Problem(f"{where}[{index}]", f"{text!r} is not a CIDR range such as 203.0.113.0/24")
            )
    return found


def _snapshot_problems(s: SnapshotSettings, where: str) -> list[Problem]:
    if not s.enabled:
        return []
    found: list[Problem] = []
    if not BUCKET.match(s.bucket):
        found.append(
            Problem(
                f"{where}.bucket",
                f"{s.bucket!r} is not a bucket name; name the Spaces bucket for snapshots, "
                "or set enabled = false",
            )
        )
    if not ENDPOINT.match(s.endpoint):
        found.append(
            Problem(
                f"{where}.endpoint",
                f"{s.endpoint!r} is not an https:// endpoint such as "
                "https://nyc3.digitaloceanspaces.com",
            )
        )
    if not KV_PATH.match(s.prefix):
        found.append(Problem(f"{where}.prefix", f"{s.prefix!r} must be '/'-separated names"))
    if not CALENDAR.match(s.schedule):
        found.append(
            Problem(f"{where}.schedule", f"{s.schedule!r} is not a systemd OnCalendar value")
        )
    if not KV_PATH.match(s.credentials_path):
        found.append(Problem(f"{where}.credentials_path", "must be a KV path such as a/b/c"))
    if not re.match(r"^[a-z0-9-]+$", s.region):
        found.append(Problem(f"{where}.region", f"{s.region!r} is not a region slug"))
    return found


def bootstrap_problems(b: BootstrapSettings, where: str) -> list[Problem]:
    """Also run by ``wildside vault bootstrap`` before it talks to Vault."""
    return _key_problems(b, where) + _naming_problems(b, where)


def _key_problems(b: BootstrapSettings, where: str) -> list[Problem]:
    found: list[Problem] = []
    if not 1 <= b.key_shares <= 255:
        found.append(Problem(f"{where}.key_shares", "must be 1 to 255"))
    if not 1 <= b.key_threshold <= max(b.key_shares, 1):
        found.append(
            Problem(
                f"{where}.key_threshold",
                f"must be at least 1 and no more than key_shares ({b.key_shares}); "
                "a threshold above the share count could never unseal",
            )
        )
    elif b.key_shares > 1 and b.key_threshold == 1:
        found.append(
            Problem(f"{where}.key_threshold", "1 with several shares lets any holder unseal alone")
        )
    if not b.recipients:
        found.append(
            Problem(
                f"{where}.recipients",
                "no operator key: list at least one age public key (age1...) to encrypt "
                "the unseal keys and root token to",
            )
        )
    found += [
        Problem(f"{where}.recipients[{index}]", "is not an age public key (age1...)")
        for index, key in enumerate(b.recipients)
        if not AGE_RECIPIENT.match(key)
    ]
    if not b.keys_file:
        found.append(Problem(f"{where}.keys_file", "must name the file for the encrypted keys"))
    return found


def _naming_problems(b: BootstrapSettings, where: str) -> list[Problem]:
    found: list[Problem] = []
    if b.address and not b.address.startswith("https://"):
        found.append(Problem(f"{where}.address", "must be an https:// URL (or empty)"))
    found += [
        Problem(f"{where}.{name}", "must be a mount name without '/'")
        for name in ("kv_mount", "approle_mount")
        if not MOUNT.match(getattr(b, name))
    ]
    if not DNS_LABEL.match(b.role_name):
        found.append(Problem(f"{where}.role_name", "must be a DNS label"))
    if not b.audit_file.startswith("/var/log/vault/"):
        found.append(
            Problem(f"{where}.audit_file", "must be a file under /var/log/vault/ (rotated daily)")
        )
    found += [
        Problem(f"{where}.{name}", "must be a duration such as 1h or 30m")
        for name in ("token_ttl", "token_max_ttl", "secret_id_ttl")
        if not DURATION.match(getattr(b, name))
    ]
    return found
