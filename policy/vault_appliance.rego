# The Vault appliance's synthesized OpenTofu JSON (cdktf.out/stacks/vault-stack/cdk.tf.json
# or infra-modules/vault_appliance/main.tf.json): the network and protection rules the
# constructs enforce, restated for reviewers. GitOps manifests have no "resource" key,
# so these rules never fire on them.
package main

import rego.v1

world := {"0.0.0.0/0", "::/0"}

tf_resources(m, kind) := object.get(m.doc, ["resource", kind], {})

tf_where(m) := m.path if m.path != ""

tf_where(m) := "vault-stack" if m.path == ""

inbound contains {"where": tf_where(m), "name": name, "rule": rule} if {
	some m in manifests
	some name, firewall in tf_resources(m, "digitalocean_firewall")
	some rule in object.get(firewall, "inbound_rule", [])
}

deny contains msg if {
	some entry in inbound
	rule := entry.rule
	rule.port_range == "22"
	some source in object.get(rule, "source_addresses", [])
	source in world
	msg := sprintf("%s: vault-ssh: firewall %s opens SSH to %s; list a bastion or VPN range", [entry.where, entry.name, source])
}

deny contains msg if {
	some entry in inbound
	rule := entry.rule
	rule.port_range == "8200"
	count(object.get(rule, "source_load_balancer_uids", [])) == 0
	msg := sprintf("%s: vault-api: firewall %s opens 8200 without the load balancer as a source", [entry.where, entry.name])
}

deny contains msg if {
	some entry in inbound
	rule := entry.rule
	rule.port_range == "8201"
	count(object.get(rule, "source_addresses", [])) > 0
	msg := sprintf("%s: vault-cluster-port: firewall %s opens Raft's 8201 to addresses; only the peers' tag may reach it", [entry.where, entry.name])
}

deny contains msg if {
	some m in manifests
	some name, lb in tf_resources(m, "digitalocean_loadbalancer")
	some rule in object.get(lb, "forwarding_rule", [])
	some protocol in [rule.entry_protocol, rule.target_protocol]
	protocol != "https"
	msg := sprintf("%s: vault-lb-tls: load balancer %s forwards %s; Vault is reached over HTTPS only", [tf_where(m), name, protocol])
}

deny contains msg if {
	some m in manifests
	some name, lb in tf_resources(m, "digitalocean_loadbalancer")
	object.get(lb, "redirect_http_to_https", false) != true
	msg := sprintf("%s: vault-lb-tls: load balancer %s does not redirect HTTP to HTTPS", [tf_where(m), name])
}

deny contains msg if {
	some m in manifests
	some name, lb in tf_resources(m, "digitalocean_loadbalancer")
	not startswith(object.get(lb, ["healthcheck", "path"], ""), "/v1/sys/health")
	msg := sprintf("%s: vault-lb-health: load balancer %s does not check /v1/sys/health", [tf_where(m), name])
}

deny contains msg if {
	some m in manifests
	some kind in ["digitalocean_droplet", "digitalocean_volume", "digitalocean_loadbalancer"]
	some name, resource in tf_resources(m, kind)
	object.get(resource, ["lifecycle", "prevent_destroy"], false) != true
	msg := sprintf("%s: vault-protect: %s.%s lacks lifecycle.prevent_destroy (expected only on a run with allow_destroy)", [tf_where(m), kind, name])
}

deny contains msg if {
	some m in manifests
	some name, droplet in tf_resources(m, "digitalocean_droplet")
	contains(object.get(droplet, "user_data", ""), "PRIVATE KEY")
	msg := sprintf("%s: vault-secret: droplet %s carries a private key in its user data", [tf_where(m), name])
}
