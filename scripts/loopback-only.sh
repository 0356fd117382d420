#!/usr/bin/env bash
# Usage: scripts/loopback-only.sh COMMAND [ARGS...]
#
# Runs COMMAND in a private network namespace whose only interface is lo,
# so that nothing it starts (Chromium's WebRTC opens sockets on every
# interface, and its mDNS and DNS clients talk to the network) can reach
# anything but 127.0.0.1. Servers the command starts live in the same
# namespace. Needs root (unshare -n) and iproute2; under CI=true a machine
# that cannot isolate fails, elsewhere the command runs unisolated with a
# warning.
set -euo pipefail

if [ "$(id -u)" = 0 ] && ! command -v ip >/dev/null 2>&1; then
	"$(dirname "$0")/need.sh" ip iproute2 >&2
fi
if [ "$(id -u)" = 0 ] && command -v ip >/dev/null 2>&1 && unshare -n true 2>/dev/null; then
	exec unshare -n -- sh -c 'ip link set lo up && exec "$@"' sh "$@"
fi
if [ "${CI:-}" = true ]; then
	echo "loopback-only: cannot make a private network namespace (needs root, unshare and ip): refusing to run browser tests unisolated under CI" >&2
	exit 1
fi
echo "loopback-only: warning: not root, running without network isolation; Chromium's WebRTC may use other interfaces" >&2
exec "$@"
