#!/usr/bin/env bash
# Usage: scripts/size-parts.sh
#
# Builds growing parts of the library for js/wasm and prints what each adds
# to the module, raw and gzipped: the floor (runtime, fmt, encoding/json,
# syscall/js), the REST client, the SIP user agent with browser media and
# WebSocket, and the JavaScript bridge (the module itself).
set -euo pipefail

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
build() { GOOS=js GOARCH=wasm go build -trimpath -ldflags='-s -w' -o "$tmp/$1.wasm" "$2"; }
build base ./internal/wasmsize/base
build rest ./internal/wasmsize/rest
build library ./internal/wasmdeps
build module ./cmd/wasm

printf '%-44s %10s %10s %10s %10s\n' part raw gzip "+raw" "+gzip"
prev_raw=0 prev_gz=0
for part in base rest library module; do
	raw=$(wc -c <"$tmp/$part.wasm")
	gz=$(gzip -9 -c "$tmp/$part.wasm" | wc -c)
	case $part in
	base) what="runtime, fmt, encoding/json, syscall/js" ;;
	rest) what="+ pkg/pbx (REST over fetch, event stream)" ;;
	library) what="+ pkg/sipua (UA, SIP, browser media, WS)" ;;
	module) what="+ pkg/jsbridge and cmd/wasm (the module)" ;;
	esac
	printf '%-44s %10d %10d %+10d %+10d\n' "$what" "$raw" "$gz" $((raw - prev_raw)) $((gz - prev_gz))
	prev_raw=$raw prev_gz=$gz
done
