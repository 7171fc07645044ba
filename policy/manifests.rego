# Shared by every policy here: which documents are under test, and how a
# message names one. conftest passes one document per evaluation, or with
# --combine a single array of {path, contents}, where contents is the list of
# documents when a file holds several.
package main

import rego.v1

combined if is_array(input)

manifests contains {"path": "", "doc": input} if {
	not combined
	is_object(input)
}

manifests contains {"path": entry.path, "doc": doc} if {
	combined
	some entry in input
	some doc in as_documents(entry.contents)
	is_object(doc)
}

as_documents(contents) := contents if is_array(contents)

as_documents(contents) := [contents] if not is_array(contents)

# A combined run names the file; conftest already prints the file of a
# per-document run, so the object's kind and name say which document it was.
where(m) := m.path if m.path != ""

where(m) := sprintf("%s/%s", [kind, name]) if {
	m.path == ""
	kind := object.get(m.doc, "kind", "?")
	name := object.get(m.doc, ["metadata", "name"], "?")
}

of_kind(m, group, kind) if {
	startswith(object.get(m.doc, "apiVersion", ""), group)
	m.doc.kind == kind
}
