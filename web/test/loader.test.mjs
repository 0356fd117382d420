// The package entry points: the ES module (top-level await), the CommonJS
// entry (one await) and the loader's errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const versionSrc = readFileSync(new URL('../../internal/version/version.go', import.meta.url), 'utf8');
const expected = /^const Version = "([^"]+)"$/m.exec(versionSrc)[1];

test('the ES module entry is ready after import', async () => {
  const mod = await import('../index.mjs');
  assert.equal(mod.version, expected);
  assert.equal(mod.default.version, expected);
});

test('the CommonJS entry loads with one await', async () => {
  const pkg = require('../index.cjs');
  const api = await pkg.load();
  assert.equal(api.version, expected);
});

test('a missing module fails with a clear message', async () => {
  const { load } = await import('../loader.mjs');
  await assert.rejects(load({ wasmURL: './no-such.wasm' }), /wasmphone: cannot read .*no-such\.wasm/);
});

test('several modules can run side by side', async () => {
  const { load } = await import('../loader.mjs');
  const [a, b] = await Promise.all([load(), load()]);
  assert.equal(a.version, expected);
  assert.equal(b.version, expected);
  assert.notEqual(a, b);
});
