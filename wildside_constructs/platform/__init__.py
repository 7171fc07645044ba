"""Platform constructs: one per component, plus the chart sources and cluster tree.

Which constructs exist, and where their folders go, is the registry's
(``wildside_constructs.registry``); it imports each construct lazily so that
a run pays only for the components it renders. Shared building blocks:
``operator`` (namespaces + HelmRelease after the sources), ``values``
(per-cluster substitutions), ``external_secrets`` (Secrets from Vault).
"""
