"""The Droplet's user data: a shell script cloud-init runs once, at first boot.

It installs a pinned Vault from HashiCorp's apt repository (the signing key
checked against a pinned fingerprint, the package against a pinned SHA-256),
mounts the node's block-storage volume for Raft, makes the node's TLS key on the
node itself (so no private key ever passes through the JSON or the state),
and installs a systemd timer that snapshots Raft to Spaces. The timer's Vault
login lives in a root-only file an operator places (docs/vault-appliance.md):
no credential is part of this text.

The script is a Terraform string: ``${`` would start an interpolation, so the
shell parts use ``$NAME`` only; the node number is ``${count.index + 1}``.
"""

from __future__ import annotations

from dataclasses import dataclass

# HashiCorp's apt signing key (https://www.hashicorp.com/trust/security).
HASHICORP_KEY_FINGERPRINT = "798AEC654E5C15428C8E42EEAA16FCBCA621E701"
DATA_DIR = "/opt/vault/data"
TLS_DIR = "/opt/vault/tls"
SNAPSHOT_ENV = "/etc/vault.d/snapshot.env"  # root-only, placed by an operator
API_PORT = 8200
CLUSTER_PORT = 8201


@dataclass(frozen=True)
class NodeScript:
    """The values the script needs; strings may be Terraform expressions."""

    name: str
    fqdn: str
    nodes: str  # a number, or an expression such as ${var.nodes}
    vault_version: str
    vault_deb_sha256: str
    snapshot_enabled: bool = True
    snapshot_bucket: str = ""
    snapshot_endpoint: str = ""
    snapshot_region: str = ""
    snapshot_prefix: str = ""
    snapshot_schedule: str = "hourly"
    kv_mount: str = "secret"
    approle_mount: str = "approle"
    credentials_path: str = ""


_INSTALL = """\
#!/bin/bash
# wildside vault appliance node (generated; see docs/vault-appliance.md)
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
NODE_ID="{name}-${{count.index + 1}}"
FQDN="{fqdn}"
NODES="{nodes}"
VAULT_VERSION="{version}"
VAULT_SHA256="{sha256}"
DEVICE="/dev/disk/by-id/scsi-0DO_Volume_{name}-data-${{count.index + 1}}"

# The volume is attached at creation; udev may name it a little later.
for attempt in $(seq 1 60); do test -e "$DEVICE" && break; sleep 5; done
blkid "$DEVICE" >/dev/null || mkfs.ext4 -q "$DEVICE"
mkdir -p {data}
grep -q "$DEVICE" /etc/fstab \\
  || echo "$DEVICE {data} ext4 defaults,nofail,discard 0 2" >> /etc/fstab
mount -a

apt-get update -q
apt-get install -y -q curl gnupg jq openssl
curl -fsSL https://apt.releases.hashicorp.com/gpg -o /tmp/hashicorp.asc
FOUND=$(gpg --show-keys --with-colons /tmp/hashicorp.asc \\
  | awk -F: '$1 == "fpr" {{print $10; exit}}')
if [ "$FOUND" != "{fingerprint}" ]; then echo "unexpected HashiCorp key $FOUND" >&2; exit 1; fi
gpg --batch --yes --dearmor -o /usr/share/keyrings/hashicorp.gpg /tmp/hashicorp.asc
REPO="https://apt.releases.hashicorp.com $(lsb_release -cs) main"
KEYRING=/usr/share/keyrings/hashicorp.gpg
echo "deb [signed-by=$KEYRING] $REPO" > /etc/apt/sources.list.d/hashicorp.list
apt-get update -q
cd /tmp
apt-get download "vault=$VAULT_VERSION-1"
echo "$VAULT_SHA256  vault_$VAULT_VERSION-1_amd64.deb" | sha256sum -c -
apt-get install -y -q "./vault_$VAULT_VERSION-1_amd64.deb"
apt-mark hold vault
"""

_CONFIGURE = """\
# The TLS key is made here and never leaves the node; the load balancer
# re-encrypts to it and clients trust the load balancer's certificate.
META=http://169.254.169.254/metadata/v1/interfaces
PRIVATE_IP=$(curl -fsS $META/private/0/ipv4/address)
PUBLIC_IP=$(curl -fsS $META/public/0/ipv4/address)
install -d -o vault -g vault -m 0750 {tls} /var/log/vault
chown -R vault:vault {data}
if [ ! -s {tls}/vault.key ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 \\
    -subj "/CN=$NODE_ID" \\
    -addext "subjectAltName=DNS:$FQDN,IP:$PRIVATE_IP,IP:$PUBLIC_IP,IP:127.0.0.1" \\
    -keyout {tls}/vault.key -out {tls}/vault.crt
  chown vault:vault {tls}/vault.key {tls}/vault.crt
  chmod 0600 {tls}/vault.key
fi
JOIN=""
if [ "$NODES" -gt 1 ]; then JOIN="retry_join {{ leader_api_addr = \\"https://$FQDN\\" }}"; fi
cat > /etc/vault.d/vault.hcl <<HCL
ui            = true
disable_mlock = true
api_addr      = "https://$PRIVATE_IP:{api}"
cluster_addr  = "https://$PRIVATE_IP:{cluster}"
listener "tcp" {{
  address         = "0.0.0.0:{api}"
  cluster_address = "0.0.0.0:{cluster}"
  tls_cert_file   = "{tls}/vault.crt"
  tls_key_file    = "{tls}/vault.key"
}}
storage "raft" {{
  path    = "{data}"
  node_id = "$NODE_ID"
  $JOIN
}}
HCL
chown vault:vault /etc/vault.d/vault.hcl
chmod 0640 /etc/vault.d/vault.hcl
# The audit device's file (bootstrap.audit_file, under /var/log/vault): Vault
# reopens it on SIGHUP, which is what the unit's reload sends.
cat > /etc/logrotate.d/vault <<'ROTATE'
/var/log/vault/*.log {{
  daily
  rotate 14
  compress
  missingok
  notifempty
  postrotate
    systemctl reload vault >/dev/null 2>&1 || true
  endscript
}}
ROTATE
systemctl enable --now vault
"""

_SNAPSHOT = """\
cat > /etc/vault.d/snapshot.conf <<CONF
SNAPSHOT_BUCKET={bucket}
SNAPSHOT_ENDPOINT={endpoint}
SNAPSHOT_REGION={region}
SNAPSHOT_PREFIX={prefix}
SNAPSHOT_KV_MOUNT={kv_mount}
SNAPSHOT_APPROLE_MOUNT={approle_mount}
SNAPSHOT_CREDENTIALS_PATH={credentials_path}
CONF
cat > /usr/local/sbin/vault-raft-snapshot <<'SCRIPT'
#!/bin/bash
# Only the active node uploads; ROLE_ID and SECRET_ID come from {env} (root-only).
set -euo pipefail
. {env}
export VAULT_ADDR=https://127.0.0.1:{api} VAULT_CACERT={tls}/vault.crt
LEADER=$(curl -fsS --cacert "$VAULT_CACERT" "$VAULT_ADDR/v1/sys/leader" | jq -r .is_self)
test "$LEADER" = true || exit 0
# The secret ID reaches vault on stdin, never on a command line other users could read.
VAULT_TOKEN=$(printf '%s' "$SECRET_ID" | vault write -field=token \\
  "auth/$SNAPSHOT_APPROLE_MOUNT/login" role_id="$ROLE_ID" secret_id=-)
export VAULT_TOKEN
FILE=/var/tmp/vault-raft-$(date -u +%Y%m%dT%H%M%SZ).snap
trap 'vault token revoke -self >/dev/null 2>&1 || true; rm -f "$FILE"' EXIT
vault operator raft snapshot save "$FILE"
KV="vault kv get -mount=$SNAPSHOT_KV_MOUNT"
KEY=$($KV -field=access_key_id "$SNAPSHOT_CREDENTIALS_PATH")
SECRET=$($KV -field=secret_access_key "$SNAPSHOT_CREDENTIALS_PATH")
# The key pair reaches curl on stdin, never on a command line other users could read.
printf 'user = "%s:%s"\\n' "$KEY" "$SECRET" | curl -fsS -K - \\
  --aws-sigv4 "aws:amz:$SNAPSHOT_REGION:s3" -T "$FILE" \\
  "$SNAPSHOT_ENDPOINT/$SNAPSHOT_BUCKET/$SNAPSHOT_PREFIX/$(basename "$FILE")"
SCRIPT
chmod 0700 /usr/local/sbin/vault-raft-snapshot
cat > /etc/systemd/system/vault-raft-snapshot.service <<'UNIT'
[Unit]
Description=Vault Raft snapshot to Spaces
After=vault.service
ConditionPathExists={env}
[Service]
Type=oneshot
EnvironmentFile=/etc/vault.d/snapshot.conf
ExecStart=/usr/local/sbin/vault-raft-snapshot
UNIT
cat > /etc/systemd/system/vault-raft-snapshot.timer <<'UNIT'
[Unit]
Description=Scheduled Vault Raft snapshot
[Timer]
OnCalendar={schedule}
RandomizedDelaySec=300
Persistent=true
[Install]
WantedBy=timers.target
UNIT
systemctl daemon-reload
systemctl enable --now vault-raft-snapshot.timer
"""


def user_data(script: NodeScript) -> str:
    """The whole first-boot script for one node (``count.index`` picks the node)."""
    common = {"data": DATA_DIR, "tls": TLS_DIR, "api": API_PORT, "cluster": CLUSTER_PORT}
    text = _INSTALL.format(
        name=script.name,
        fqdn=script.fqdn,
        nodes=script.nodes,
        version=script.vault_version,
        sha256=script.vault_deb_sha256,
        fingerprint=HASHICORP_KEY_FINGERPRINT,
        **common,
    )
    text += _CONFIGURE.format(**common)
    if script.snapshot_enabled:
        text += _SNAPSHOT.format(
            bucket=script.snapshot_bucket,
            endpoint=script.snapshot_endpoint,
            region=script.snapshot_region,
            prefix=script.snapshot_prefix,
            kv_mount=script.kv_mount,
            approle_mount=script.approle_mount,
            credentials_path=script.credentials_path,
            schedule=script.snapshot_schedule,
            env=SNAPSHOT_ENV,
            **common,
        )
    return text
