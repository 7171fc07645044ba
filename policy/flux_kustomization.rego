# Flux Kustomizations: explicit reconciliation settings and a path inside the repository.
package main

import rego.v1

flux_kustomizations contains m if {
	some m in manifests
	of_kind(m, "kustomize.toolkit.fluxcd.io/", "Kustomization")
}

# prune removes what the tree no longer renders; wait orders dependsOn on
# readiness rather than on apply. Neither is left to a default.
deny contains msg if {
	some m in flux_kustomizations
	some field in ["prune", "wait", "interval", "sourceRef", "path"]
	object.get(object.get(m.doc, "spec", {}), field, null) == null
	msg := sprintf("%s: flux-kustomization: spec.%s is not set", [where(m), field])
}

deny contains msg if {
	some m in flux_kustomizations
	path := m.doc.spec.path
	startswith(path, "/")
	msg := sprintf("%s: flux-kustomization: spec.path %s is absolute; make it relative to the repository", [where(m), path])
}

deny contains msg if {
	some m in flux_kustomizations
	path := m.doc.spec.path
	".." in split(path, "/")
	msg := sprintf("%s: flux-kustomization: spec.path %s climbs out with ..", [where(m), path])
}
