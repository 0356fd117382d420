#!/usr/bin/env bash
# Usage: scripts/js-packages.sh PATTERN...
#
# Prints the import paths of the packages matching PATTERN that have Go files
# (or test files) for GOOS=js GOARCH=wasm. Packages whose build constraints
# exclude js/wasm are left out, so they do not break the js/wasm vet and tests.
set -euo pipefail

GOOS=js GOARCH=wasm go list -e \
	-f '{{if or .GoFiles .CgoFiles .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}' \
	"$@" 2> >(grep -v 'matched no packages' >&2) | sed '/^$/d'
