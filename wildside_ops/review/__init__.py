"""CI review helpers: actionlint over every workflow and action, the pull-request summary."""
