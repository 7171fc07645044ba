# External Secrets: only external-secrets.io/v1 is served by the operator
# release deployed (1.x); v1beta1 and v1alpha1 objects are rejected on apply.
# Vault stores carry no literal credential and talk to Vault over TLS.
package main

import rego.v1

deny contains msg if {
	some m in manifests
	api_version := object.get(m.doc, "apiVersion", "")
	startswith(api_version, "external-secrets.io/")
	api_version != "external-secrets.io/v1"
	msg := sprintf("%s: external-secrets-version: %s is not served; use external-secrets.io/v1", [where(m), api_version])
}

# Vault stores: a role ID is a credential half, so only a reference to a Secret
# created outside Git (roleRef) may name it, never the literal value.
deny contains msg if {
	some m in manifests
	some kind in ["SecretStore", "ClusterSecretStore"]
	of_kind(m, "external-secrets.io/", kind)
	object.get(m.doc, ["spec", "provider", "vault", "auth", "appRole", "roleId"], "") != ""
	msg := sprintf("%s: external-secrets-literal: appRole.roleId is a literal credential in Git; use roleRef to a Secret created in the cluster", [where(m)])
}

# Vault stores send a login token to the server: never over plain HTTP. A
# Flux placeholder (${...}) is checked by the configuration instead.
deny contains msg if {
	some m in manifests
	some kind in ["SecretStore", "ClusterSecretStore"]
	of_kind(m, "external-secrets.io/", kind)
	server := object.get(m.doc, ["spec", "provider", "vault", "server"], "https://")
	not startswith(server, "https://")
	not startswith(server, "${")
	msg := sprintf("%s: external-secrets-vault: server %s must be https://", [where(m), server])
}
