// The built module in Chromium: /index.mjs loads from a same-origin static
// server, `version` is a string and `new Sipcentric({...})` works at once.
// A screenshot of the page is kept in web/test/artifacts/module-loaded.png.
//
// Run with `make browser` (it builds the module first).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';

import {
  launchBrowser, startServer, openPage, loadModule, pageLog, formatPageLog,
  saveArtifacts, withArtifacts, stopAll,
} from './harness.mjs';

let browser;
let server;

before(async () => {
  browser = await launchBrowser();
  server = await startServer();
});

after(stopAll);

test('the module loads in Chromium and Sipcentric is usable', { timeout: 120_000 }, async () => {
  const page = await openPage(browser, server.blankUrl);
  await withArtifacts(page, 'module-loads', async () => {
    const { version, readyMs } = await loadModule(page);
    assert.equal(typeof version, 'string');
    assert.ok(version.length > 0, 'version is not empty');
    assert.ok(readyMs > 0);

    const got = await page.evaluate(() => {
      const { Sipcentric, version: v, default: api } = globalThis.wasmphone;
      // Synchronous: no await between the constructor and its use.
      const client = new Sipcentric({ username: 'alice', password: 'alice-secret', baseUrl: location.origin + '/api/v1' });
      return {
        version: v,
        defaultVersion: api?.version,
        isInstance: client instanceof Sipcentric,
        customersGet: typeof client.customers?.get,
        streamSubscribe: typeof client.stream?.subscribe,
        keys: Object.keys(client),
      };
    });
    assert.equal(got.version, version);
    assert.equal(got.defaultVersion, version);
    assert.ok(got.isInstance, 'new Sipcentric() is an instance of Sipcentric');
    assert.equal(got.customersGet, 'function');
    assert.equal(got.streamSubscribe, 'function');
    assert.deepEqual(got.keys, []);

    await page.evaluate((v) => {
      document.getElementById('status').textContent = `wasmphone ${v} loaded`;
    }, version);
    const wasm = server.stats.bytes['/wasmphone.wasm'];
    assert.ok(wasm > 0, 'the page fetched /wasmphone.wasm from the server');
    assert.deepEqual(pageLog(page).errors, [], formatPageLog(page));
    const offOrigin = pageLog(page).requests.filter((r) => !r.split(' ')[1].startsWith(server.url));
    assert.deepEqual(offOrigin, [], 'every request stays on the test server');
  });
  const shot = await saveArtifacts(page, 'module-loaded');
  assert.ok(shot.endsWith('.png'));
  await page.close();
});

test('the server sends the MIME types browsers need', async () => {
  for (const [file, type] of [
    ['/wasmphone.wasm', 'application/wasm'],
    ['/index.mjs', 'text/javascript'],
    ['/loader.mjs', 'text/javascript'],
    ['/wasm_exec.js', 'text/javascript'],
  ]) {
    const res = await fetch(server.url + file, { method: 'HEAD' });
    assert.equal(res.status, 200, file);
    assert.equal(res.headers.get('content-type').split(';')[0], type, file);
  }
  assert.equal((await fetch(`${server.url}/nothing-here.mjs`)).status, 404);
  // fetch() would resolve the dots itself: send the raw path.
  const status = await new Promise((resolve, reject) => {
    http.get(`${server.url}/%2e%2e%2fgo.mod`, (res) => {
      res.resume();
      resolve(res.statusCode);
    }).on('error', reject);
  });
  assert.equal(status, 404, 'no way out of web/: ../go.mod stays web/go.mod, which does not exist');
  assert.equal((await fetch(`${server.url}/api/v1/customers/`)).status, 502, 'no upstream configured');
});
