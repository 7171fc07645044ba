# External Secrets: only external-secrets.io/v1 is served by the operator
# release deployed (1.x); v1beta1 and v1alpha1 objects are rejected on apply.
package main

import rego.v1

deny contains msg if {
	some m in manifests
	api_version := object.get(m.doc, "apiVersion", "")
	startswith(api_version, "external-secrets.io/")
	api_version != "external-secrets.io/v1"
	msg := sprintf("%s: external-secrets-version: %s is not served; use external-secrets.io/v1", [where(m), api_version])
}
