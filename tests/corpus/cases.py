"""The bad-input corpus: each case is input the CLI must refuse with exit code 2.

A case is ``(id, environment, config_file, field)``: ``environment`` is set on
top of a clean one, ``config_file`` (if not None) names a maker in
``tests/corpus/files.py`` that writes WILDSIDE_CONFIG, and ``field`` must
appear in the message.
"""

from __future__ import annotations

Case = tuple[str, dict[str, str], str | None, str]

POOL = '{"name": "default", "size": "s-2vcpu-4gb"'
UPPER_POOL = '[{"name": "Pool", "size": "s-1", "count": 1}]'


def _scaled(low: int, high: int) -> str:
    return f'[{POOL}, "auto_scale": true, "min_nodes": {low}, "max_nodes": {high}}}]'


# Spellings YAML 1.1 or Go's YAML reads as booleans, nulls or numbers.
RETYPED = [
    "y", "Y", "n", "N", "yes", "no", "on", "off", "true", "false", "null", "NULL", "~",
    "123", "0x1", "0o7", "0b1", "1_000", "1e3", ".inf", "-.inf", ".nan", "1.5",
    "190:20:30", "007", "+1",
]  # fmt: skip
NOT_LABELS = [
    "", "a\tb", "a\nb", "Dev", "dev_1", "-dev", "dev-", "a" * 64, "*.x", "a b",
    "dev/..", "../x", "dév", "dev.x",
]  # fmt: skip
BRANCHES = [
    "-x", "x/.y", "a.lock/b", "a..b", "a b", "a~b", "a^b", "a:b", "a?b", "a*b", "a[b",
    "a\\b", "@", "@{-1}", "/a", "a/", "a//b", "a.", "x/.hidden", "a\tb", "a.lock",
]  # fmt: skip
AUTHOR_NAMES = [
    "", " ", "<>", "Mallory <evil@x>", "a>b", "x" * 120_000, "name\n", " lead", "trail.",
    "a\tb",
]  # fmt: skip
AUTHOR_EMAILS = [
    "<>", "a>b@x", "", "no-at", "a@b", "a b@x.com", "x@" + "a" * 300 + ".com",
    "<a@b.com>",
]  # fmt: skip
DOMAINS = [
    "*.example.com", "a\tb.com", "a.example.com\n- x", "EXAMPLE.com", "example",
    "a..b.com", "-a.com", "x" * 300 + ".com", "", "ex ample.com",
]  # fmt: skip


def _env_cases() -> list[Case]:
    cases: list[Case] = []
    for value in RETYPED:
        cases.append((f"name-{value!r}", {"WILDSIDE_CLUSTER_NAME": value}, None, "cluster.name"))
    for value in NOT_LABELS:
        cases.append(
            (f"name-{value[:12]!r}", {"WILDSIDE_CLUSTER_NAME": value}, None, "cluster.name")
        )
    for value in ("y", "n", "~", "0x1", "0o7", "1_000", ".inf", "NULL", "Off", "12"):
        cases.append(
            (f"env-{value!r}", {"WILDSIDE_ENVIRONMENT": value}, None, "cluster.environment")
        )
    for value in DOMAINS:
        cases.append((f"domain-{value[:16]!r}", {"WILDSIDE_DOMAIN": value}, None, "cluster.domain"))
    for value in BRANCHES:
        cases.append(
            (f"branch-{value!r}", {"WILDSIDE_GITOPS_BRANCH": value}, None, "gitops.branch")
        )
    for value in AUTHOR_NAMES:
        name = {"WILDSIDE_GIT_AUTHOR_NAME": value}
        cases.append((f"author-{value[:12]!r}", name, None, "gitops.author_name"))
    for value in AUTHOR_EMAILS:
        email = {"WILDSIDE_GIT_AUTHOR_EMAIL": value}
        cases.append((f"email-{value[:12]!r}", email, None, "gitops.author_email"))
    return cases  # fmt: skip


def _other_env_cases() -> list[Case]:
    repo = "WILDSIDE_GITOPS_REPOSITORY"
    pools = "WILDSIDE_NODE_POOLS"
    budget = "WILDSIDE_GITOPS_PUSH_BUDGET"
    return [
        ("url-huge", {repo: "https://x.com/" + "a" * 100_000}, None, "gitops.repository_url"),
        ("url-ftp", {repo: "ftp://x.com/r.git"}, None, "gitops.repository_url"),
        ("url-empty", {repo: ""}, None, "gitops.repository_url"),
        ("url-blank", {repo: "https://x.com/a b.git"}, None, "gitops.repository_url"),
        ("unknown-trafik", {"WILDSIDE_ENABLE_TRAFIK": "false"}, None, "WILDSIDE_ENABLE_TRAEFIK"),
        ("unknown-clustername", {"WILDSIDE_CLUSTERNAME": "x"}, None, "WILDSIDE_CLUSTER_NAME"),
        ("unknown-domian", {"WILDSIDE_DOMIAN": "x.com"}, None, "WILDSIDE_DOMAIN"),
        ("unknown-branhc", {"WILDSIDE_GITOPS_BRANHC": "x"}, None, "WILDSIDE_GITOPS_BRANCH"),
        ("unknown-regon", {"WILDSIDE_REGON": "nyc1"}, None, "WILDSIDE_REGION"),
        ("unknown-foo", {"WILDSIDE_FOO": "1"}, None, "WILDSIDE_FOO"),
        ("switch-maybe", {"WILDSIDE_ENABLE_TRAEFIK": "maybe"}, None, "WILDSIDE_ENABLE_TRAEFIK"),
        ("switch-2", {"WILDSIDE_ALLOW_DESTROY": "2"}, None, "WILDSIDE_ALLOW_DESTROY"),
        ("switch-ja", {"WILDSIDE_FLUX_BOOTSTRAP": "ja"}, None, "WILDSIDE_FLUX_BOOTSTRAP"),
        ("budget-words", {budget: "lots"}, None, budget),
        ("budget-nan", {budget: "nan"}, None, "gitops.push_budget_seconds"),
        ("budget-inf", {budget: "inf"}, None, "gitops.push_budget_seconds"),
        ("budget-negative", {budget: "-1"}, None, "gitops.push_budget_seconds"),
        ("budget-huge", {budget: "99999"}, None, "gitops.push_budget_seconds"),
        ("pools-json", {pools: "[{"}, None, pools),
        ("pools-huge", {pools: f"[{POOL}, \"count\": 1000000000000}}]"}, None, "count"),
        ("pools-zero", {pools: f"[{POOL}, \"count\": 0}}]"}, None, "node_pools[0].count"),
        ("pools-min0", {pools: _scaled(0, 3)}, None, "node_pools[0].min_nodes"),
        ("pools-minmax", {pools: _scaled(5, 3)}, None, "node_pools[0].min_nodes"),
        ("pools-object", {pools: "{}"}, None, "node_pools"),
        ("pools-name-upper", {pools: UPPER_POOL}, None, "node_pools[0].name"),
        ("pools-empty", {pools: "[]"}, None, "node_pools"),
        ("region", {"WILDSIDE_REGION": "New York"}, None, "cluster.region"),
        ("k8s-v", {"WILDSIDE_KUBERNETES_VERSION": "v1.33"}, None, "cluster.kubernetes_version"),
        ("acme-email", {"WILDSIDE_ACME_EMAIL": "nobody"}, None, "cluster.acme_email"),
        ("state-backend", {"WILDSIDE_STATE_BACKEND": "gcs"}, None, "state.backend"),
        ("state-bucket", {"WILDSIDE_STATE_BACKEND": "s3"}, None, "state.bucket"),
        ("kube-auth", {"WILDSIDE_FLUX_KUBE_AUTH": "password"}, None, "flux.kube_auth"),
    ]  # fmt: skip


# Config files written by tests/corpus/files.py, by maker name.
FILE_CASES: list[Case] = [
    ("file-folder", {}, "folder", "WILDSIDE_CONFIG"),
    ("file-fifo", {}, "fifo", "WILDSIDE_CONFIG"),
    ("file-loop", {}, "symlink_loop", "WILDSIDE_CONFIG"),
    ("file-missing", {}, "missing", "WILDSIDE_CONFIG"),
    ("file-binary", {}, "binary", "WILDSIDE_CONFIG"),
    ("file-latin1", {}, "latin1", "WILDSIDE_CONFIG"),
    ("file-utf16", {}, "utf16", "WILDSIDE_CONFIG"),
    ("file-not-toml", {}, "not_toml", "is not valid TOML"),
    ("file-huge", {}, "huge", "WILDSIDE_CONFIG"),
    ("vault-dotdot-valkey", {}, "valkey_dotdot", "valkey.password.vault_path"),
    ("vault-empty-segment", {}, "valkey_empty_segment", "valkey.password.vault_path"),
    ("vault-dot", {}, "valkey_dot", "valkey.password.vault_path"),
    ("vault-dotdot-cnpg-app", {}, "cnpg_app_dotdot", "cnpg.credentials.app_vault_path"),
    ("vault-dotdot-cnpg-su", {}, "cnpg_superuser_dotdot", "cnpg.credentials.superuser_vault_path"),
    ("vault-dotdot-cert", {}, "cert_manager_dotdot", "cert_manager.cloudflare.vault_path"),
    ("vault-dotdot-dns", {}, "external_dns_dotdot", "external_dns.cloudflare.vault_path"),
    ("vpc-range-no-create", {}, "vpc_range_without_create", "cluster.vpc.ip_range"),
    (
        "rabbitmq-client-namespace",
        {},
        "rabbitmq_bad_client_namespace",
        "rabbitmq.client_namespaces[0]",
    ),
    ("unknown-table", {}, "unknown_table", "traefk"),
    ("unknown-key", {}, "unknown_key", "cluster.nmae"),
    ("budget-toml-string", {}, "budget_string", "gitops.push_budget_seconds"),
    ("replicas-string", {}, "replicas_string", "traefik.replicas"),
    ("gitops-dir-file", {}, "gitops_dir_file", "gitops.dir"),
    ("gitops-dir-under-file", {}, "gitops_dir_under_file", "gitops.dir"),
    ("gitops-dir-broken-link", {}, "gitops_dir_broken_link", "gitops.dir"),
]

CASES: list[Case] = _env_cases() + _other_env_cases() + FILE_CASES
