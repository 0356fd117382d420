#!/usr/bin/env bash
# Fails unless Node.js 20 or newer is on PATH.
set -euo pipefail

if ! command -v node >/dev/null 2>&1; then
	echo "error: node is not installed; the tests need Node.js 20 or newer (https://nodejs.org or your distribution's nodejs package)" >&2
	exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
	echo "error: the tests need Node.js 20 or newer; $(command -v node) is $(node --version)" >&2
	exit 1
fi
