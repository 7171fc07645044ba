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

object_stores contains m if {
	some m in manifests
	of_kind(m, "barmancloud.cnpg.io/", "ObjectStore")
}

# An object store's settings: a Barman Cloud plugin ObjectStore's
# spec.configuration, or (deprecated since CNPG 1.26, still checked for
# clusters not yet migrated) a Cluster's spec.backup.barmanObjectStore.
store_configs contains [m, "ObjectStore.spec.configuration", m.doc.spec.configuration] if {
	some m in object_stores
}

store_configs contains [m, "barmanObjectStore", m.doc.spec.backup.barmanObjectStore] if {
	some m in cnpg_clusters
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
	some [m, name, store] in store_configs
	object.get(store, "destinationPath", "") == ""
	msg := sprintf("%s: cnpg-backup: %s has no destinationPath", [where(m), name])
}

# The object store's key pair: a Secret name and key for each half (or the
# node's cloud identity), never a value.
deny contains msg if {
	some [m, name, store] in store_configs
	not s3_by_reference(store)
	not other_credentials(store)
	msg := sprintf("%s: cnpg-backup: %s.s3Credentials must reference accessKeyId and secretAccessKey by Secret name and key", [where(m), name])
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

# Combined only: a ScheduledBackup needs a rendered Cluster of that name that
# backs up the way it asks: through the Barman Cloud plugin with a rendered
# ObjectStore, or (legacy) with backup.barmanObjectStore.
deny contains msg if {
	combined
	some m in scheduled_backups
	method := object.get(m.doc, ["spec", "method"], "barmanObjectStore")
	method in {"plugin", "barmanObjectStore"}
	name := object.get(m.doc, ["spec", "cluster", "name"], "")
	namespace := object.get(m.doc, ["metadata", "namespace"], "default")
	not backed_up_cluster(namespace, name, method)
	msg := sprintf("%s: cnpg-backup: no rendered Cluster %s/%s backs up with method %s (a Barman Cloud plugin entry naming a rendered ObjectStore, or backup.barmanObjectStore)", [where(m), namespace, name, method])
}

backed_up_cluster(namespace, name, "barmanObjectStore") if {
	some c in cnpg_clusters
	c.doc.metadata.name == name
	object.get(c.doc.metadata, "namespace", "default") == namespace
	c.doc.spec.backup.barmanObjectStore
}

backed_up_cluster(namespace, name, "plugin") if {
	some c in cnpg_clusters
	c.doc.metadata.name == name
	object.get(c.doc.metadata, "namespace", "default") == namespace
	some plugin in object.get(c.doc, ["spec", "plugins"], [])
	plugin.name == "barman-cloud.cloudnative-pg.io"
	some s in object_stores
	s.doc.metadata.name == plugin.parameters.barmanObjectName
	object.get(s.doc.metadata, "namespace", "default") == namespace
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
