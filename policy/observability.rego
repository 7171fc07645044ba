# Observability: alerts someone can act on, and a Grafana nobody reaches
# anonymously or with a password kept in Git.
package main

import rego.v1

prometheus_rules contains m if {
	some m in manifests
	of_kind(m, "monitoring.coreos.com/", "PrometheusRule")
}

grafana_releases contains m if {
	some m in manifests
	of_kind(m, "helm.toolkit.fluxcd.io/", "HelmRelease")
	object.get(m.doc, ["spec", "values", "grafana"], null) != null
}

# Every alert says how loud it is and what to check.
deny contains msg if {
	some m in prometheus_rules
	some group in m.doc.spec.groups
	some rule in group.rules
	rule.alert
	object.get(rule, ["labels", "severity"], "") == ""
	msg := sprintf("%s: alert-runbook: alert %s has no severity label", [where(m), rule.alert])
}

deny contains msg if {
	some m in prometheus_rules
	some group in m.doc.spec.groups
	some rule in group.rules
	rule.alert
	object.get(rule, ["annotations", "runbook"], "") == ""
	object.get(rule, ["annotations", "runbook_url"], "") == ""
	msg := sprintf("%s: alert-runbook: alert %s has no runbook or runbook_url annotation", [where(m), rule.alert])
}

deny contains msg if {
	some m in grafana_releases
	object.get(m.doc, ["spec", "values", "grafana", "grafana.ini", "auth.anonymous", "enabled"], false) == true
	msg := sprintf("%s: grafana-access: anonymous access is enabled", [where(m)])
}

deny contains msg if {
	some m in grafana_releases
	object.get(m.doc, ["spec", "values", "grafana", "adminPassword"], "") != ""
	msg := sprintf("%s: grafana-access: adminPassword is a literal; use admin.existingSecret (from Vault)", [where(m)])
}

deny contains msg if {
	some m in grafana_releases
	object.get(m.doc, ["spec", "values", "grafana", "admin", "existingSecret"], "") == ""
	msg := sprintf("%s: grafana-access: grafana.admin.existingSecret is not set", [where(m)])
}
