# Data stores (CloudNativePG, Valkey): credentials only by reference to a
# Secret, never in Git, and backups that can actually run.
package main

import rego.v1

cnpg_clusters contains m if {
	some m in manifests
	of_kind(m, "postgresql.cnpg.io/", "Cluster")
}

scheduled_backups contains m if {
	some m in manifests
	of_kind(m, "postgresql.cnpg.io/", "ScheduledBackup")
}

valkeys contains m if {
	some m in manifests
	of_kind(m, "hyperspike.io/", "Valkey")
}

# Bootstrap SQL is stored in the Cluster, so a password set there is a
# password in Git; passwords belong in the Secrets the Cluster references.
deny contains msg if {
	some m in cnpg_clusters
	some field in ["postInitSQL", "postInitTemplateSQL", "postInitApplicationSQL"]
	some statement in object.get(m.doc, ["spec", "bootstrap", "initdb", field], [])
	contains(lower(statement), "password")
	msg := sprintf("%s: cnpg-credentials: bootstrap.initdb.%s sets a password in Git; reference a Secret (bootstrap.initdb.secret, superuserSecret)", [where(m), field])
}

deny contains msg if {
	some m in cnpg_clusters
	store := m.doc.spec.backup.barmanObjectStore
	object.get(store, "destinationPath", "") == ""
	msg := sprintf("%s: cnpg-backup: barmanObjectStore has no destinationPath", [where(m)])
}

# The object store's key pair: a Secret name and key for each half (or the
# node's cloud identity), never a value.
deny contains msg if {
	some m in cnpg_clusters
	store := m.doc.spec.backup.barmanObjectStore
	not s3_by_reference(store)
	not other_credentials(store)
	msg := sprintf("%s: cnpg-backup: barmanObjectStore.s3Credentials must reference accessKeyId and secretAccessKey by Secret name and key", [where(m)])
}

s3_by_reference(store) if {
	every half in ["accessKeyId", "secretAccessKey"] {
		object.get(store, ["s3Credentials", half, "name"], "") != ""
		object.get(store, ["s3Credentials", half, "key"], "") != ""
	}
}

other_credentials(store) if object.get(store, ["s3Credentials", "inheritFromIAMRole"], false) == true

other_credentials(store) if store.azureCredentials

other_credentials(store) if store.googleCredentials

# CNPG reads the schedule with seconds first; five fields would silently mean
# something else. A Flux placeholder is checked by the configuration instead.
deny contains msg if {
	some m in scheduled_backups
	schedule := object.get(m.doc, ["spec", "schedule"], "")
	not startswith(schedule, "${")
	count(regex.split(`\s+`, trim_space(schedule))) != 6
	msg := sprintf("%s: cnpg-backup: schedule '%s' is not a six-field cron expression (seconds first)", [where(m), schedule])
}

# Combined only: a ScheduledBackup of the object store needs a rendered
# Cluster of that name which configures one.
deny contains msg if {
	combined
	some m in scheduled_backups
	object.get(m.doc, ["spec", "method"], "barmanObjectStore") == "barmanObjectStore"
	name := object.get(m.doc, ["spec", "cluster", "name"], "")
	namespace := object.get(m.doc, ["metadata", "namespace"], "default")
	not backed_up_cluster(namespace, name)
	msg := sprintf("%s: cnpg-backup: no rendered Cluster %s/%s configures backup.barmanObjectStore", [where(m), namespace, name])
}

backed_up_cluster(namespace, name) if {
	some c in cnpg_clusters
	c.doc.metadata.name == name
	object.get(c.doc.metadata, "namespace", "default") == namespace
	c.doc.spec.backup.barmanObjectStore
}

deny contains msg if {
	some m in valkeys
	object.get(m.doc, ["spec", "anonymousAuth"], false) == true
	msg := sprintf("%s: valkey-auth: anonymousAuth lets any pod read and write; clients must authenticate", [where(m)])
}

deny contains msg if {
	some m in valkeys
	ref := m.doc.spec.servicePassword
	some field in ["name", "key"]
	object.get(ref, field, "") == ""
	msg := sprintf("%s: valkey-auth: servicePassword has no %s; name the Secret and key holding the password", [where(m), field])
}
