"""Register each named environment variable's value with the runner's log masker.

Runs with the runner's own python3 before anything else is installed, so no
secret input can reach a log line unmasked. Multi-line values (unseal shares)
are registered line by line, and comma-separated shares one by one, because
the runner masks a registered string only where it appears whole on one line.
"""

import os
import sys


def escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def main(names: list[str]) -> int:
    seen = set()
    for name in names:
        value = os.environ.get(name, "")
        parts = {value} | set(value.splitlines()) | set(value.replace(",", "\n").splitlines())
        for part in sorted(p.strip() for p in parts):
            if part and part not in seen:
                seen.add(part)
                print(f"::add-mask::{escape(part)}", flush=True)
    print(f"masked {len(names)} input(s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
