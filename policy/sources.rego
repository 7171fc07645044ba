# Chart sources: fetched over TLS or from an OCI registry, never plain http.
package main

import rego.v1

deny contains msg if {
	some m in manifests
	of_kind(m, "source.toolkit.fluxcd.io/", "HelmRepository")
	object.get(m.doc, ["spec", "type"], "default") == "oci"
	not startswith(object.get(m.doc, ["spec", "url"], ""), "oci://")
	msg := sprintf("%s: source-url: HelmRepository of type oci needs an oci:// url", [where(m)])
}

deny contains msg if {
	some m in manifests
	of_kind(m, "source.toolkit.fluxcd.io/", "HelmRepository")
	object.get(m.doc, ["spec", "type"], "default") != "oci"
	not startswith(object.get(m.doc, ["spec", "url"], ""), "https://")
	msg := sprintf("%s: source-url: HelmRepository url must be https:// (or oci:// with type: oci)", [where(m)])
}

deny contains msg if {
	some m in manifests
	of_kind(m, "source.toolkit.fluxcd.io/", "OCIRepository")
	not startswith(object.get(m.doc, ["spec", "url"], ""), "oci://")
	msg := sprintf("%s: source-url: OCIRepository url must be oci://", [where(m)])
}
