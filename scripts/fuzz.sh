#!/usr/bin/env bash
# Usage: scripts/fuzz.sh FUZZTIME [PATTERN...]
#
# Finds every fuzz target (func FuzzXxx) in the packages matching PATTERN
# (default ./...) and runs each for FUZZTIME. Runs all targets even when one
# fails, then names the failures and exits non-zero.
set -euo pipefail

fuzztime=$1
shift
[ $# -gt 0 ] || set -- ./...

# `go test -list` prints each package's matching names, then its "ok" line;
# a package that does not build gets a "FAIL" line instead.
listed=0
listing=$(go test -list '^Fuzz' "$@" 2>&1) || listed=$?
targets=$(printf '%s\n' "$listing" | awk '
	/^Fuzz/ { names[n++] = $1; next }
	/^ok / { for (i = 0; i < n; i++) print $2, names[i]; n = 0 }')
broken=$(printf '%s\n' "$listing" | awk '/^FAIL[ \t]/ && NF >= 2 { print $2 }' | sort -u)
failed=()
if [ "$listed" -ne 0 ]; then
	printf '%s\n' "$listing" >&2
	if [ -z "$broken" ]; then
		echo "error: go test -list failed" >&2
		exit 1
	fi
	while read -r pkg; do failed+=("$pkg (does not build)"); done <<<"$broken"
fi

if [ -z "$targets" ]; then
	if [ ${#failed[@]} -eq 0 ]; then
		echo "no fuzz targets in $*"
		exit 0
	fi
	echo "fuzzing failed: no fuzz targets could be run; packages that do not build:" >&2
	printf '  %s\n' "${failed[@]}" >&2
	exit 1
fi

count=$(printf '%s\n' "$targets" | wc -l)
echo "$count fuzz target(s), $fuzztime each"
crashed=0
while read -r pkg name; do
	echo "=== fuzz $pkg $name"
	if ! go test -run='^$' -fuzz="^${name}\$" -fuzztime="$fuzztime" "$pkg" </dev/null; then
		failed+=("$pkg $name")
		crashed=1
	fi
done <<<"$targets"

if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzzing failed (${#failed[@]} failure(s), $count target(s) run):" >&2
	printf '  %s\n' "${failed[@]}" >&2
	if [ "$crashed" -ne 0 ]; then
		echo "a failing input is saved under its package's testdata/fuzz/" >&2
	fi
	exit 1
fi
echo "all $count fuzz target(s) passed"
