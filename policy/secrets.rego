# Secrets: no literal values in git; they come from Vault through External
# Secrets. The one exception is a Secret SOPS has fully encrypted (every value an
# ENC[AES256_GCM,...] envelope, SOPS metadata with a MAC and an age recipient),
# which Flux decrypts in the cluster with the age key delivered from Vault.
package main

import rego.v1

deny contains msg if {
	some m in manifests
	m.doc.apiVersion == "v1"
	m.doc.kind == "Secret"
	some field in ["data", "stringData"]
	carries(object.get(m.doc, field, null))
	not sops_encrypted(m.doc)
	msg := sprintf("%s: secret-literal: Secret carries literal %s; deliver it through an ExternalSecret, or encrypt it with `wildside secrets set`", [where(m), field])
}

carries(values) if {
	is_object(values)
	count(values) > 0
}

sops_encrypted(doc) if {
	startswith(doc.sops.mac, "ENC[")
	some entry in doc.sops.age
	entry.recipient != ""
	every field in ["data", "stringData"] {
		every _, value in object.get(doc, field, {}) {
			is_string(value)
			regex.match(`^ENC\[AES256_GCM,data:[A-Za-z0-9+/=]*,iv:[^,\]]+,tag:[^,\]]+,type:\w+\]$`, value)
		}
	}
}
