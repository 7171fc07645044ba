"""``python -m app``: the command cdktf.json runs for ``cdktf synth``."""

import sys

from app.cli import main

sys.exit(main(sys.argv[1:]))
