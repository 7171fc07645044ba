# Secrets: no literal values in git; they come from Vault through External Secrets.
package main

import rego.v1

deny contains msg if {
	some m in manifests
	m.doc.apiVersion == "v1"
	m.doc.kind == "Secret"
	some field in ["data", "stringData"]
	carries(object.get(m.doc, field, null))
	msg := sprintf("%s: secret-literal: Secret carries literal %s; deliver it through an ExternalSecret", [where(m), field])
}

carries(values) if {
	is_object(values)
	count(values) > 0
}
