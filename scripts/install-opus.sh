#!/usr/bin/env bash
# Usage: scripts/install-opus.sh
#
# Installs the Debian packages that native Opus needs (the build tag `opus`
# of pkg/sipua/media, which binds libopus through cgo): libopus's headers
# and library (libopus-dev) and pkg-config, through which cgo finds them.
# Idempotent: when both are installed it exits 0 at once.
#
# Needs root and apt-get; otherwise prints what to install and exits 1.
set -euo pipefail

packages=(libopus-dev pkg-config)

# shellcheck source=lib/apt.sh
. "$(dirname "$0")/lib/apt.sh"

# find_missing sets missing to the packages that are not installed.
find_missing() { missing_packages "${packages[@]}"; }

# usable reports whether cgo will find libopus: pkg-config knows it.
usable() {
	command -v pkg-config >/dev/null 2>&1 && pkg-config --exists opus
}

find_missing
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	if usable; then
		# Not from Debian's packages, but there (built from source, or
		# another distribution): good enough for cgo.
		exit 0
	fi
	echo "error: libopus is not installed for the Opus build (go test -tags opus); install the Debian packages:" >&2
	echo "  sudo apt-get install ${missing[*]}" >&2
	exit 1
fi

# Test runs may install in parallel: one at a time, and whoever comes
# second finds everything installed.
apt_lock opus 600
find_missing
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

echo "installing the Debian packages: ${missing[*]}"
apt_install "${missing[@]}"

if ! usable; then
	echo "error: installed ${missing[*]} but pkg-config does not find opus" >&2
	exit 1
fi
echo "libopus installed: $(pkg-config --modversion opus)"
