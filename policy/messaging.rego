# RabbitMQ: TLS only, credentials imported from Secrets filled from Vault, and
# operator images pinned to a release (mirrors wildside_constructs/validation/messaging.py).
package main

import rego.v1

deny contains msg if {
	some m in manifests
	of_kind(m, "rabbitmq.com/", "RabbitmqCluster")
	not tls_only(m.doc)
	msg := sprintf("%s: rabbitmq-tls: must set spec.tls.secretName and spec.tls.disableNonTLSListeners: true", [where(m)])
}

tls_only(doc) if {
	doc.spec.tls.secretName != ""
	doc.spec.tls.disableNonTLSListeners == true
}

deny contains msg if {
	some m in manifests
	of_kind(m, "rabbitmq.com/", "User")
	object.get(m.doc, ["spec", "importCredentialsSecret", "name"], "") == ""
	msg := sprintf("%s: rabbitmq-credentials: must import its credentials from a Secret (spec.importCredentialsSecret.name) filled from Vault", [where(m)])
}

deny contains msg if {
	some m in manifests
	of_kind(m, "kustomize.toolkit.fluxcd.io/", "Kustomization")
	some image in object.get(m.doc, ["spec", "images"], [])
	object.get(image, "newTag", "") in {"", "latest"}
	msg := sprintf("%s: rabbitmq-image-pinned: overrides image %s without an exact tag; set newTag to a release", [where(m), object.get(image, "name", "")])
}
