#!/usr/bin/env bash
# Usage: scripts/install-kamailio.sh
#
# Installs the Debian packages the Kamailio interop tests need
# (internal/kamailio): Kamailio itself (which also ships db_text), its
# SIP-over-WebSocket modules and its presence modules (dialog event package,
# BLF). Idempotent: when every package is installed it only makes sure the
# system service is not running, then exits 0.
#
# The tests run their own Kamailio with their own config on free loopback
# ports, so the Debian service must not run: package installation is done
# with service starts denied (policy-rc.d), then the service is stopped and
# disabled in case it was started anyway (a machine with systemd, or an
# earlier install).
#
# Needs root and apt-get; otherwise prints what to install and exits 1.
set -euo pipefail

packages=(kamailio kamailio-websocket-modules kamailio-presence-modules)

# shellcheck source=lib/apt.sh
. "$(dirname "$0")/lib/apt.sh"

# find_missing sets missing to the packages that are not installed.
find_missing() { missing_packages "${packages[@]}"; }

find_missing

# stop_service stops and disables the Debian kamailio service, whatever the
# init system. Every step is allowed to fail: where there is no systemd (a
# container) there is nothing to stop.
stop_service() {
	if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
		systemctl stop kamailio.service >/dev/null 2>&1 || true
	fi
	if command -v systemctl >/dev/null 2>&1; then
		# Works offline too: it only removes the unit's symlinks.
		systemctl disable kamailio.service >/dev/null 2>&1 || true
	fi
	if [ -x /etc/init.d/kamailio ]; then
		/etc/init.d/kamailio stop >/dev/null 2>&1 || true
		command -v update-rc.d >/dev/null 2>&1 && update-rc.d kamailio disable >/dev/null 2>&1 || true
	fi
	# A daemon started by hand or by an old init script writes this pid file.
	local pidfile=/run/kamailio/kamailio.pid
	if [ -s "$pidfile" ]; then
		local pid
		pid=$(cat "$pidfile")
		if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
			grep -q kamailio "/proc/$pid/comm" 2>/dev/null; then
			kill "$pid" 2>/dev/null || true
		fi
	fi
}

if [ ${#missing[@]} -eq 0 ]; then
	if [ "$(id -u)" -eq 0 ]; then
		stop_service
	fi
	exit 0
fi

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "error: Kamailio is not installed; install the Debian packages:" >&2
	echo "  sudo apt-get install ${missing[*]}" >&2
	echo "(then stop the system service, the tests run their own: sudo systemctl disable --now kamailio)" >&2
	exit 1
fi

# Test packages run in parallel and may all want to install: one at a time,
# and whoever comes second finds everything installed.
apt_lock kamailio 600
find_missing
if [ ${#missing[@]} -eq 0 ]; then
	stop_service
	exit 0
fi

echo "installing the Debian packages: ${missing[*]}"

# Deny service starts while the packages are configured (invoke-rc.d and
# deb-systemd-invoke honour policy-rc.d). Keep a policy the machine already
# has (Docker images ship one that denies everything).
policy=/usr/sbin/policy-rc.d
own_policy=
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\n# installed by scripts/install-kamailio.sh while it runs\nexit 101\n' >"$policy"
	chmod 755 "$policy"
	own_policy=1
fi
cleanup() {
	if [ -n "$own_policy" ]; then
		rm -f "$policy"
	fi
}
trap cleanup EXIT

apt_install "${missing[@]}"

stop_service

if ! command -v kamailio >/dev/null 2>&1; then
	echo "error: installed ${missing[*]} but 'kamailio' is not on PATH" >&2
	exit 1
fi
echo "Kamailio installed: $(kamailio -v 2>/dev/null | head -1)"
