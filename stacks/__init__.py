"""The CDKTF stacks: ``cluster-stack`` (applied) and ``platform-stack`` (render)."""
