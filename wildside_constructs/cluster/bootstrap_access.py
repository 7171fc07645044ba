"""The bootstrap Job's access: granted for the run, withdrawn by the Job on success.

``flux install`` creates Flux's own ``cluster-reconciler`` binding to
``cluster-admin``, so whatever identity runs it needs ``bind`` on
``cluster-admin``: any "narrow" role for it can grant itself cluster-admin and
is equivalent to it. So the access is not narrowed but made temporary (see
docs/flux-bootstrap.md). The service account is bound to an *aggregated*
ClusterRole that holds no rules of its own; the rules come from a grant role
labelled for aggregation. The Job removes that label as its last step, the
aggregation controller then empties the aggregated role, and the identity can
do nothing. Terraform ignores the grant's labels, so the removal is not drift,
and a re-run (new inputs) replaces the grant with its label back.
"""

from __future__ import annotations

from cdktf import ITerraformDependable, TerraformResourceLifecycle
from cdktf_cdktf_provider_kubernetes.cluster_role_binding_v1 import ClusterRoleBindingV1
from cdktf_cdktf_provider_kubernetes.cluster_role_v1 import (
    ClusterRoleV1,
    ClusterRoleV1AggregationRuleClusterRoleSelectors,
    ClusterRoleV1Rule,
)
from constructs import Construct

from wildside_constructs.cluster.flux_sync import (
    BOOTSTRAP_ACCESS_ROLE,
    BOOTSTRAP_GRANT_LABEL,
    BOOTSTRAP_GRANT_ROLE,
)
from wildside_constructs.model import MANAGED_BY


class BootstrapAccess(Construct):
    """Aggregated role + binding (standing, empty) and the grant (withdrawn on success)."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        account: str,
        namespace: str,
        replace_with: list[ITerraformDependable],
    ) -> None:
        super().__init__(scope, id)
        labels = dict(MANAGED_BY)
        self.role = ClusterRoleV1(
            self,
            "role",
            metadata={"name": BOOTSTRAP_ACCESS_ROLE, "labels": labels},
            aggregation_rule={
                # Structs, not dicts: jsii passes list items' keys through unconverted.
                "cluster_role_selectors": [
                    ClusterRoleV1AggregationRuleClusterRoleSelectors(
                        match_labels={BOOTSTRAP_GRANT_LABEL: "true"}
                    )
                ]
            },
            # The aggregation controller owns the rules; they are not drift.
            lifecycle=TerraformResourceLifecycle(ignore_changes=["rule"]),
        )
        self.binding = ClusterRoleBindingV1(
            self,
            "binding",
            metadata={"name": BOOTSTRAP_ACCESS_ROLE, "labels": labels},
            role_ref={
                "api_group": "rbac.authorization.k8s.io",
                "kind": "ClusterRole",
                "name": BOOTSTRAP_ACCESS_ROLE,
            },
            subject=[{"kind": "ServiceAccount", "name": account, "namespace": namespace}],
        )
        # Everything, for the run only: the role must include bind on
        # cluster-admin anyway (see the module docstring), so a shorter list
        # would only add ways for a Flux upgrade to fail.
        self.grant = ClusterRoleV1(
            self,
            "grant",
            metadata={
                "name": BOOTSTRAP_GRANT_ROLE,
                "labels": {**labels, BOOTSTRAP_GRANT_LABEL: "true"},
            },
            rule=[
                ClusterRoleV1Rule(api_groups=["*"], resources=["*"], verbs=["*"]),
                ClusterRoleV1Rule(non_resource_urls=["*"], verbs=["*"]),
            ],
            # The Job removes the label on success; a re-run replaces the grant.
            lifecycle=TerraformResourceLifecycle(
                ignore_changes=["metadata[0].labels"],
                replace_triggered_by=replace_with,
            ),
            depends_on=[self.role, self.binding],
        )
