"""The appliance's synth-time refusal: bad input, reported before anything is written."""

from __future__ import annotations

from wildside_constructs.cluster.errors import ClusterStackError


class VaultApplianceError(ClusterStackError):
    """Exit code 2 through the CLI's RenderError handling, with every problem listed."""

    headline = "vault-stack cannot be synthesized"
