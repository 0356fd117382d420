// Smoke test of the built WebAssembly module: load web/wasmphone.wasm with the
// project's own wasm_exec.js, run it, and wait for the ready handshake
// described in cmd/wasm/main.go.
//
// Run it with `make test` (or `make smoke`), which builds the module first.
// WASMPHONE_WASM may name another module file to test.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import vm from 'node:vm';

const nodeMajor = Number(process.versions.node.split('.')[0]);
if (nodeMajor < 20) {
  throw new Error(`the smoke test needs Node.js 20 or newer; this is Node.js ${process.version}`);
}

const root = fileURLToPath(new URL('../../', import.meta.url));
const wasmFile = process.env.WASMPHONE_WASM || path.join(root, 'web', 'wasmphone.wasm');
const versionFile = path.join(root, 'internal', 'version', 'version.go');
// Generous: a loaded CI machine can take seconds to start a module.
const readyTimeoutMs = 60_000;

// The version the module must report, read from the Go source.
function expectedVersion() {
  const src = readFileSync(versionFile, 'utf8');
  const m = /^const Version = "([^"]+)"$/m.exec(src);
  if (!m) throw new Error(`no line 'const Version = "..."' in ${versionFile}`);
  return m[1];
}

// The project's wasm_exec.js is a classic script that defines globalThis.Go;
// run it as one, whatever module type Node would give the file.
if (typeof globalThis.Go !== 'function') {
  const glue = path.join(root, 'wasm_exec.js');
  vm.runInThisContext(readFileSync(glue, 'utf8'), { filename: glue });
}

let wasmModule;
function compiledModule() {
  if (!wasmModule) {
    let bytes;
    try {
      bytes = readFileSync(wasmFile);
    } catch (err) {
      throw new Error(`cannot read ${wasmFile} (build it with 'make build'): ${err.message}`);
    }
    wasmModule = new WebAssembly.Module(bytes);
  }
  return wasmModule;
}

let serial = 0;

// start runs one instance of the module. readyName is the global name of its
// ready callback (undefined: do not set WASMPHONE_READY, so the module uses
// its default name); install says whether to store the callback. It resolves
// to {api} when the module signals ready, or {exitCode} when it exits first,
// and rejects when neither happens within readyTimeoutMs.
async function start({ readyName, callbackName = readyName, install = true } = {}) {
  const go = new globalThis.Go();
  go.argv = ['wasmphone'];
  go.env = readyName === undefined ? {} : { WASMPHONE_READY: readyName };
  let exitCode;
  go.exit = (code) => { exitCode = code; };

  const ready = new Promise((resolve) => {
    if (install) globalThis[callbackName] = (api) => resolve({ api });
  });
  const instance = await WebAssembly.instantiate(compiledModule(), go.importObject);

  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(
      `the module did not signal ready within ${readyTimeoutMs / 1000}s ` +
      `(callback globalThis.${callbackName}, module ${wasmFile})`)), readyTimeoutMs);
  });
  try {
    const exited = go.run(instance).then(() => ({ exitCode }));
    return await Promise.race([ready, exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function uniqueName() {
  serial += 1;
  return `__wasmphoneReadyTest_${process.pid}_${serial}`;
}

test('the module signals ready and reports the library version', async () => {
  const name = uniqueName();
  const result = await start({ readyName: name });
  assert.ok(result.api, `the module exited with status ${result.exitCode} before it was ready`);
  assert.equal(result.api.version, expectedVersion());
  assert.equal(name in globalThis, false, 'the module leaves its ready callback in globalThis');
});

test('without WASMPHONE_READY the module calls globalThis.__wasmphoneInit', async () => {
  const result = await start({ callbackName: '__wasmphoneInit' });
  assert.ok(result.api, `the module exited with status ${result.exitCode} before it was ready`);
  assert.equal(result.api.version, expectedVersion());
});

test('several modules in one process each answer their own callback', async () => {
  const names = [uniqueName(), uniqueName()];
  const results = await Promise.all(names.map((readyName) => start({ readyName })));
  for (const result of results) {
    assert.ok(result.api, `a module exited with status ${result.exitCode} before it was ready`);
    assert.equal(result.api.version, expectedVersion());
  }
  assert.notEqual(results[0].api, results[1].api);
});

test('a module without its ready callback exits with status 2', async () => {
  const result = await start({ readyName: uniqueName(), install: false });
  assert.deepEqual(result, { exitCode: 2 });
});
