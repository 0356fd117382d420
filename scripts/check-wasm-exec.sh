#!/usr/bin/env bash
# Fails unless ./wasm_exec.js is byte for byte the toolchain's copy: the
# JavaScript glue and the Go runtime inside the module must come from the same
# Go version. `make wasm-exec` copies the toolchain's file over ours.
set -euo pipefail

goroot=$(go env GOROOT)
theirs=$goroot/lib/wasm/wasm_exec.js
ours=wasm_exec.js
if [ ! -f "$theirs" ]; then
	echo "error: $theirs does not exist; is $(go env GOVERSION) a complete Go installation?" >&2
	exit 1
fi
if ! cmp -s "$ours" "$theirs"; then
	echo "error: $ours differs from $theirs, the copy of $(go env GOVERSION)." >&2
	echo "       The module is built with $(go env GOVERSION), so its glue must match:" >&2
	echo "       run 'make wasm-exec' to copy it (and commit the result), or use the Go version $ours came from." >&2
	exit 1
fi
