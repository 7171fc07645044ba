"""The thin CDKTF app: configuration in, synthesised stacks and a published tree out.

``app.config`` reads and validates the typed configuration, ``app.synth`` builds
and synthesises the stacks, ``app.post_synth`` hands the rendered manifests to
the publisher, and ``app.cli`` is the one ``wildside`` command that dispatches
to everything, including the deploy-time operations in ``wildside_ops``.
"""
