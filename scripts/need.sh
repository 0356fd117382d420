#!/usr/bin/env bash
# Usage: scripts/need.sh COMMAND DEBIAN-PACKAGE
#
# Makes sure COMMAND is on PATH. When it is missing and we run as root on a
# machine with apt-get, installs DEBIAN-PACKAGE (running `apt-get update`
# first if the package lists are missing or stale); otherwise fails with a
# message saying what to install.
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 COMMAND DEBIAN-PACKAGE" >&2
	exit 2
fi
cmd=$1 pkg=$2

command -v "$cmd" >/dev/null 2>&1 && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "error: '$cmd' is not installed; install the Debian package '$pkg' (sudo apt-get install $pkg) and run make again" >&2
	exit 1
fi

echo "'$cmd' is missing: installing the Debian package '$pkg'"
# shellcheck source=lib/apt.sh
. "$(dirname "$0")/lib/apt.sh"
apt_install "$pkg"
if ! command -v "$cmd" >/dev/null 2>&1; then
	echo "error: installed '$pkg' but '$cmd' is still not on PATH" >&2
	exit 1
fi
