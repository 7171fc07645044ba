"""Deploy-time operations: everything that runs *after* synthesis.

The thin CDKTF app (``app``) turns configuration into stacks and synthesised
JSON. This package acts on the results and on the outside world: the GitOps
publisher (``gitops``), the engine runner behind ``wildside plan``/``deploy``
(``engine``), Vault (``vault``), Secrets written straight into a cluster
(``kube``) and the composite action's steps (``action``).

Imports run one way: ``wildside_ops`` may read ``app.config`` (the typed
configuration every command starts from) and ``app.log``, but nothing in
``app``, ``stacks`` or ``wildside_constructs`` imports this package at module
level; the CLI reaches it through deferred imports so ``wildside render``
never pays for hvac or the Kubernetes client.
"""
