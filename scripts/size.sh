#!/usr/bin/env bash
# Usage: scripts/size.sh FILE
#
# Prints the raw, gzip -9 and brotli -q 11 sizes of FILE as a table. With
# GZIP_BUDGET set (bytes), fails when the gzip size exceeds it.
set -euo pipefail

file=$1
raw=$(wc -c <"$file")
gz=$(gzip -9 -c "$file" | wc -c)
br=$(brotli -q 11 -c "$file" | wc -c)

awk -v file="$file" -v raw="$raw" -v gz="$gz" -v br="$br" 'BEGIN {
	printf "%s\n%-14s %12s %10s %8s\n", file, "", "bytes", "MiB", "of raw"
	row("raw", raw); row("gzip -9", gz); row("brotli -q 11", br)
}
function row(name, n) { printf "%-14s %12d %10.2f %7.1f%%\n", name, n, n / 1048576, 100 * n / raw }'
if [ -n "${GZIP_BUDGET:-}" ]; then
	if [ "$gz" -gt "$GZIP_BUDGET" ]; then
		echo "size: $file is $gz bytes gzipped, over the budget of $GZIP_BUDGET" >&2
		exit 1
	fi
	echo "gzip budget    $GZIP_BUDGET bytes: $((GZIP_BUDGET - gz)) to spare"
fi
