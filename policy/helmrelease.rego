# HelmRelease: the chart comes from a named source and is pinned to one release.
package main

import rego.v1

# semver.org's grammar plus the leading "v" Helm accepts (cert-manager's charts
# are tagged v1.19.2).
exact_semver := `^v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-(0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)(\.(0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*))*)?(\+[0-9a-zA-Z-]+(\.[0-9a-zA-Z-]+)*)?$`

# Flux reads chart.spec.version as a constraint; these make it match many releases.
semver_range := `[\^~<>*|\s]|(^|\.)[xX](\.|$)`

helm_releases contains m if {
	some m in manifests
	of_kind(m, "helm.toolkit.fluxcd.io/", "HelmRelease")
}

source_ref(doc) := ref if {
	ref := doc.spec.chart.spec.sourceRef
} else := ref if {
	ref := doc.spec.chartRef
}

deny contains msg if {
	some m in helm_releases
	not m.doc.spec.chart.spec
	not m.doc.spec.chartRef
	msg := sprintf("%s: helmrelease-source: neither spec.chart.spec nor spec.chartRef", [where(m)])
}

deny contains msg if {
	some m in helm_releases
	m.doc.spec.chart.spec
	not m.doc.spec.chart.spec.sourceRef
	msg := sprintf("%s: helmrelease-source: chart.spec.sourceRef is missing", [where(m)])
}

# Without a namespace Flux looks beside each release; the sources live in flux-system.
deny contains msg if {
	some m in helm_releases
	ref := source_ref(m.doc)
	some field in ["kind", "name", "namespace"]
	not ref[field]
	msg := sprintf("%s: helmrelease-source: sourceRef has no %s", [where(m), field])
}

deny contains msg if {
	some m in helm_releases
	object.get(m.doc.spec.chart.spec, "version", "") in {"", null}
	msg := sprintf("%s: helmrelease-version: chart version is missing; pin an exact version", [where(m)])
}

deny contains msg if {
	some m in helm_releases
	version := m.doc.spec.chart.spec.version
	is_string(version)
	regex.match(semver_range, version)
	msg := sprintf("%s: helmrelease-version: chart version %v is a range; pin an exact version", [where(m), version])
}

deny contains msg if {
	some m in helm_releases
	version := m.doc.spec.chart.spec.version
	not version in {"", null}
	not regex.match(semver_range, sprintf("%v", [version]))
	not exact(version)
	msg := sprintf("%s: helmrelease-version: chart version %v is not exact semver (MAJOR.MINOR.PATCH)", [where(m), version])
}

exact(version) if {
	is_string(version)
	regex.match(exact_semver, version)
}

# Combined only: one document alone cannot show its source is rendered too.
deny contains msg if {
	combined
	some m in helm_releases
	ref := source_ref(m.doc)
	namespace := object.get(ref, "namespace", object.get(m.doc, ["metadata", "namespace"], "default"))
	not rendered_source(ref.kind, namespace, ref.name)
	msg := sprintf("%s: helmrelease-source: sourceRef %s/%s/%s is not rendered", [where(m), ref.kind, namespace, ref.name])
}

rendered_source(kind, namespace, name) if {
	some s in manifests
	of_kind(s, "source.toolkit.fluxcd.io/", kind)
	s.doc.metadata.name == name
	object.get(s.doc.metadata, "namespace", "default") == namespace
}
