#!/usr/bin/env bash
# Usage: scripts/install-chromium.sh
#
# Makes sure Debian's Chromium is at /usr/bin/chromium, for the browser end
# to end tests (web/test/browser/, driven by playwright-core) and the
# time-to-ready benchmark (web/bench/ready.mjs). Idempotent: when
# /usr/bin/chromium exists it prints its version and exits 0.
#
# Installs the Debian package `chromium` (noninteractive, see lib/apt.sh)
# when it is missing. Playwright's own browser
# download is never used, nor any other source: the tests run the browser
# the distribution ships and updates.
#
# Needs root and apt-get; otherwise prints what to install and exits 1.
set -euo pipefail

# shellcheck source=lib/apt.sh
. "$(dirname "$0")/lib/apt.sh"

chromium=/usr/bin/chromium
packages=(chromium)

# have_chromium succeeds when the browser is there and executable.
have_chromium() {
	[ -x "$chromium" ]
}

report() {
	echo "Chromium: $("$chromium" --version 2>/dev/null | head -1 || echo "$chromium")"
}

if have_chromium; then
	report
	exit 0
fi

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "error: $chromium is missing: the browser tests (make browser) need Debian's Chromium; install it:" >&2
	echo "  sudo apt-get install ${packages[*]}" >&2
	echo "(or run scripts/install-chromium.sh as root; Playwright's browser download is not used)" >&2
	exit 1
fi

# Test runs may start together and all want to install: one at a time, and
# whoever comes second finds the browser installed.
apt_lock chromium 900
if have_chromium; then
	report
	exit 0
fi

echo "installing the Debian packages: ${packages[*]}"
apt_install "${packages[@]}"

if ! have_chromium; then
	echo "error: installed ${packages[*]} but $chromium is still missing" >&2
	exit 1
fi
report
