"""``wildside promote``: move the platform from one environment to the next by one commit.

``platform/`` is what sandbox runs and what every publish writes; staging and
production run byte-for-byte copies under ``environments/<env>/platform/``,
written only here. A promotion is a publish in owned-prefix mode that owns the
target copy and renders it, on every attempt's base tree, from the source's
files; so an unchanged copy makes no commit and a rejected push re-plans on
the new tip. See docs/promotion.md.

Modules: ``rules`` (which routes are allowed), ``preflight`` (unpublished
changes), ``promote`` (the publish), ``message`` (the commit message),
``pull_request`` (GitHub) and ``cli``. Nothing is imported here, so building
the ``wildside`` parser does not load the publisher.
"""
