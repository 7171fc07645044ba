#!/usr/bin/env bash
# Installs promtool and amtool into a project-local folder, without root.
#
# The alert-rule tests run the real Prometheus tooling. Debian's `prometheus` and
# `prometheus-alertmanager` packages ship both binaries; `apt-get download` fetches the
# .deb files as an ordinary user and `dpkg-deb -x` unpacks them, so nothing is
# installed system-wide. The folder is git-ignored and safe to delete; re-running is a
# no-op once both binaries answer `--version`.
#
# Usage: tools/install-prometheus-tools.sh [DEST]   (default: .tools/prometheus)
set -euo pipefail

dest="${1:-.tools/prometheus}"
bin="$dest/usr/bin"

if "$bin/promtool" --version >/dev/null 2>&1 && "$bin/amtool" --version >/dev/null 2>&1; then
    exit 0
fi
if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
    echo "install-prometheus-tools: apt-get and dpkg-deb are needed (Debian or Ubuntu);" \
        "put promtool and amtool on PATH instead, or the alert tests will skip" >&2
    exit 0
fi

mkdir -p "$dest"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# apt-get download writes into the current directory.
(cd "$work" && apt-get download -q prometheus prometheus-alertmanager >/dev/null 2>&1) || {
    echo "install-prometheus-tools: apt-get download failed (no Debian mirror reachable?);" \
        "the alert tests will skip" >&2
    exit 0
}
for deb in "$work"/*.deb; do
    dpkg-deb -x "$deb" "$work/root"
done
mkdir -p "$bin"
cp "$work/root/usr/bin/promtool" "$work/root/usr/bin/amtool" "$bin/"
"$bin/promtool" --version | head -1
"$bin/amtool" --version 2>&1 | head -1
