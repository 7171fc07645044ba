"""The Kubernetes documents of one preview besides the application itself.

A namespace bounded by quota and limits and closed to all traffic but the
ingress controller's and its own; a database on the shared PostGIS cluster
owned by a role of its own, whose password is generated in the cluster and
never enters Git; and the Secrets the application reads, all through External
Secrets.
"""

from __future__ import annotations

from typing import Any

from wildside_constructs.preview_roles import ROLE_SQL
from wildside_ops.apps.context import (
    DATABASES_NAMESPACE,
    POSTGRES_PORT,
    TRAEFIK_NAMESPACE,
    VAULT_STORE,
    AppContext,
)

__all__ = ["APP_SECRET", "DATABASE_SECRET", "preview_documents", "role_name"]

Doc = dict[str, Any]

# Secret names the chart's values point at (see docs/previews.md, values contract).
DATABASE_SECRET = "app-database"  # noqa: S105 - a Secret's name, not a secret
APP_SECRET = "app-secrets"  # noqa: S105 - a Secret's name, not a secret
_READER = "database-credentials"
ES_V1 = "external-secrets.io/v1"


def role_name(number: int) -> str:
    """The PostgreSQL role and database name of preview ``number``."""
    return f"pr_{number}"


def _meta(name: str, namespace: str | None, ctx: AppContext, number: int) -> Doc:
    meta: Doc = {
        "name": name,
        "labels": {
            "app.kubernetes.io/part-of": ctx.apps.name,
            "app.kubernetes.io/managed-by": "wildside",
            "wildside.dev/preview": f"pr-{number}",
        },
    }
    if namespace is not None:
        meta["namespace"] = namespace
    return meta


def _namespace_docs(ctx: AppContext, number: int) -> list[Doc]:
    ns = f"pr-{number}"
    limits = ctx.apps.limits
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": _meta(ns, None, ctx, number)},
        {
            "apiVersion": "v1",
            "kind": "ResourceQuota",
            "metadata": _meta("preview", ns, ctx, number),
            "spec": {
                "hard": {
                    "requests.cpu": limits.cpu,
                    "limits.cpu": limits.cpu,
                    "requests.memory": limits.memory,
                    "limits.memory": limits.memory,
                    "pods": str(limits.pods),
                }
            },
        },
        {
            "apiVersion": "v1",
            "kind": "LimitRange",
            "metadata": _meta("preview", ns, ctx, number),
            "spec": {
                "limits": [
                    {
                        "type": "Container",
                        "defaultRequest": {
                            "cpu": limits.container_cpu_request,
                            "memory": limits.container_memory_request,
                        },
                        "default": {
                            "cpu": limits.container_cpu_limit,
                            "memory": limits.container_memory_limit,
                        },
                    }
                ]
            },
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": _meta("ingress-and-own-namespace-only", ns, ctx, number),
            "spec": {
                "podSelector": {},
                "policyTypes": ["Ingress"],
                "ingress": [
                    {
                        "from": [
                            {"podSelector": {}},
                            {
                                "namespaceSelector": {
                                    "matchLabels": {
                                        "kubernetes.io/metadata.name": TRAEFIK_NAMESPACE
                                    }
                                }
                            },
                        ]
                    }
                ],
            },
        },
    ]


def _role_job(ctx: AppContext, number: int, owner_secret: str) -> Doc:
    """Create (or re-password) the preview's role: CNPG 1.27 has no role resource.

    The password reaches psql through the environment and a psql variable, so
    it is never on a command line or in Git. The role is marked as a preview's
    (``wildside_constructs.preview_roles``): the platform's reaper drops marked
    roles once their preview is gone, and only those.
    """
    role = role_name(number)
    meta = _meta(f"pr-{number}-db-role", DATABASES_NAMESPACE, ctx, number)
    # A Job's template cannot change in place: when the SQL or the image moves
    # on, Flux recreates the Job (it runs again, idempotently) rather than
    # failing the whole ephemeral overlay.
    meta["annotations"] = {"kustomize.toolkit.fluxcd.io/force": "enabled"}

    def secret_env(name: str, secret: str, key: str) -> Doc:
        return {"name": name, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}

    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": meta,
        "spec": {
            "backoffLimit": 10,
            "template": {
                "metadata": {"labels": {"wildside.dev/preview": f"pr-{number}"}},
                "spec": {
                    "restartPolicy": "OnFailure",
                    # Pod Security "restricted", like the platform's reaper.
                    "securityContext": {
                        "runAsNonRoot": True,
                        "runAsUser": 26,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "containers": [
                        {
                            "name": "psql",
                            "image": ctx.db_image,
                            "command": [
                                "sh",
                                "-c",
                                'printf "%s" "$ROLE_SQL" | psql -v ON_ERROR_STOP=1 '
                                '-v role="$ROLE" -v password="$ROLE_PASSWORD" -d postgres',
                            ],
                            "env": [
                                {"name": "PGHOST", "value": ctx.db_host},
                                {"name": "PGPORT", "value": str(POSTGRES_PORT)},
                                secret_env("PGUSER", ctx.superuser_secret, "username"),
                                secret_env("PGPASSWORD", ctx.superuser_secret, "password"),
                                {"name": "ROLE", "value": role},
                                secret_env("ROLE_PASSWORD", owner_secret, "password"),
                                {"name": "ROLE_SQL", "value": ROLE_SQL},
                            ],
                            "securityContext": {
                                "allowPrivilegeEscalation": False,
                                "capabilities": {"drop": ["ALL"]},
                            },
                            "resources": {
                                "requests": {"cpu": "10m", "memory": "32Mi"},
                                "limits": {"cpu": "200m", "memory": "128Mi"},
                            },
                        }
                    ],
                },
            },
        },
    }


def _database_docs(ctx: AppContext, number: int) -> list[Doc]:
    ns, role = f"pr-{number}", role_name(number)
    owner_secret = f"pr-{number}-db-owner"
    database: Doc = {
        "name": role,
        "owner": role,
        "cluster": {"name": ctx.db_cluster},
        "ensure": "present",
        "databaseReclaimPolicy": "delete",
    }
    if ctx.apps.seed_template:
        database["template"] = ctx.apps.seed_template
    return [
        {
            "apiVersion": "generators.external-secrets.io/v1alpha1",
            "kind": "Password",
            "metadata": _meta(f"pr-{number}-db", DATABASES_NAMESPACE, ctx, number),
            # No symbols: the password travels into a connection URI unescaped.
            "spec": {
                "length": 32,
                "digits": 6,
                "symbols": 0,
                "noUpper": False,
                "allowRepeat": True,
            },
        },
        {
            "apiVersion": ES_V1,
            "kind": "ExternalSecret",
            "metadata": _meta(owner_secret, DATABASES_NAMESPACE, ctx, number),
            "spec": {
                # Generated once: a refresh would change the password under the role.
                "refreshPolicy": "CreatedOnce",
                "target": {
                    "name": owner_secret,
                    "template": {
                        "type": "kubernetes.io/basic-auth",
                        "data": {"username": role, "password": "{{ .password }}"},
                    },
                },
                "dataFrom": [
                    {
                        "sourceRef": {
                            "generatorRef": {
                                "apiVersion": "generators.external-secrets.io/v1alpha1",
                                "kind": "Password",
                                "name": f"pr-{number}-db",
                            }
                        }
                    }
                ],
            },
        },
        _role_job(ctx, number, owner_secret),
        {
            "apiVersion": "postgresql.cnpg.io/v1",
            "kind": "Database",
            "metadata": _meta(f"pr-{number}", DATABASES_NAMESPACE, ctx, number),
            "spec": database,
        },
        # The preview namespace may read exactly its owner Secret, nothing else.
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": _meta(f"pr-{number}-db-reader", DATABASES_NAMESPACE, ctx, number),
            "rules": [
                {
                    "apiGroups": [""],
                    "resources": ["secrets"],
                    "resourceNames": [owner_secret],
                    "verbs": ["get"],
                },
                {
                    "apiGroups": ["authorization.k8s.io"],
                    "resources": ["selfsubjectrulesreviews"],
                    "verbs": ["create"],
                },
            ],
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": _meta(f"pr-{number}-db-reader", DATABASES_NAMESPACE, ctx, number),
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "Role",
                "name": f"pr-{number}-db-reader",
            },
            "subjects": [{"kind": "ServiceAccount", "name": _READER, "namespace": ns}],
        },
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _meta(_READER, ns, ctx, number)},
        {
            "apiVersion": ES_V1,
            "kind": "SecretStore",
            "metadata": _meta("databases", ns, ctx, number),
            "spec": {
                "provider": {
                    "kubernetes": {
                        "remoteNamespace": DATABASES_NAMESPACE,
                        "server": {
                            "caProvider": {
                                "type": "ConfigMap",
                                "name": "kube-root-ca.crt",
                                "key": "ca.crt",
                            }
                        },
                        "auth": {"serviceAccount": {"name": _READER}},
                    }
                }
            },
        },
        {
            "apiVersion": ES_V1,
            "kind": "ExternalSecret",
            "metadata": _meta(DATABASE_SECRET, ns, ctx, number),
            "spec": {
                "refreshInterval": "1h",
                "secretStoreRef": {"kind": "SecretStore", "name": "databases"},
                "target": {
                    "name": DATABASE_SECRET,
                    "template": {
                        "data": {
                            "host": ctx.db_host,
                            "port": str(POSTGRES_PORT),
                            "database": role,
                            "user": role,
                            "password": "{{ .password }}",
                            "uri": (
                                f"postgresql://{role}:{{{{ .password }}}}@{ctx.db_host}:"
                                f"{POSTGRES_PORT}/{role}"
                            ),
                        }
                    },
                },
                "data": [
                    {
                        "secretKey": "password",
                        "remoteRef": {"key": owner_secret, "property": "password"},
                    }
                ],
            },
        },
    ]


def app_secret_docs(
    ctx: AppContext, namespace: str, vault_path: str, labels: dict[str, str]
) -> list[Doc]:
    """The application's own secrets, read from Vault at ``vault_path``."""
    return [
        {
            "apiVersion": ES_V1,
            "kind": "ExternalSecret",
            "metadata": {"name": APP_SECRET, "namespace": namespace, "labels": labels},
            "spec": {
                "refreshInterval": "1h",
                "secretStoreRef": {"kind": "ClusterSecretStore", "name": VAULT_STORE},
                "target": {"name": APP_SECRET},
                "dataFrom": [{"extract": {"key": vault_path}}],
            },
        }
    ]


def _basic_auth_docs(ctx: AppContext, number: int) -> list[Doc]:
    ns = f"pr-{number}"
    return [
        {
            "apiVersion": ES_V1,
            "kind": "ExternalSecret",
            "metadata": _meta("preview-basic-auth", ns, ctx, number),
            "spec": {
                "refreshInterval": "1h",
                "secretStoreRef": {"kind": "ClusterSecretStore", "name": VAULT_STORE},
                "target": {"name": "preview-basic-auth"},
                "data": [
                    {
                        "secretKey": "users",
                        "remoteRef": {
                            "key": f"{ctx.apps.vault_base()}/previews-basic-auth",
                            "property": "users",
                        },
                    }
                ],
            },
        },
        {
            "apiVersion": "traefik.io/v1alpha1",
            "kind": "Middleware",
            "metadata": _meta("preview-basic-auth", ns, ctx, number),
            "spec": {"basicAuth": {"secret": "preview-basic-auth", "removeHeader": True}},
        },
    ]


def preview_documents(ctx: AppContext, number: int) -> list[Doc]:
    """Every document of preview ``number`` except the HelmRelease and its source."""
    ns = f"pr-{number}"
    docs = _namespace_docs(ctx, number) + _database_docs(ctx, number)
    labels = _meta(ns, None, ctx, number)["labels"]
    docs += app_secret_docs(ctx, ns, f"{ctx.apps.vault_base()}/previews", labels)
    if ctx.apps.basic_auth:
        docs += _basic_auth_docs(ctx, number)
    return docs
