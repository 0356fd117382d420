// The REST client in Chromium against the fake PBX (internal/pbxfake),
// reached through the test server's same-origin proxy of /api/: no CORS.
// The flows of web/test/rest.test.mjs, run in a page.
//
// Run with `make browser` (it builds the module first).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import {
  launchBrowser, startServer, startPbxfake, openPage, loadModule, pageLog,
  formatPageLog, withArtifacts, stopAll,
} from './harness.mjs';

let browser;
let server;
let fake;
let page;

before(async () => {
  [browser, fake] = await Promise.all([launchBrowser(), startPbxfake()]);
  server = await startServer({ api: fake.apiUpstream });
  page = await openPage(browser, server.blankUrl);
  await loadModule(page);
});

after(stopAll);

// inPage runs fn in the page with a client for alice on the page's origin,
// saving a screenshot and the page log when it fails.
function inPage(name, fn, arg) {
  return withArtifacts(page, `rest-${name}`, () => page.evaluate(async ([src, a]) => {
    const { Sipcentric } = globalThis.wasmphone;
    const client = new Sipcentric({ username: 'alice', password: 'alice-secret', baseUrl: location.origin + '/api/v1' });
    // eslint-disable-next-line no-new-func
    return await new Function('client', 'Sipcentric', 'arg', `return (${src})(client, Sipcentric, arg);`)(client, Sipcentric, a);
  }, [fn.toString(), arg]));
}

test('customers.get() lists the customer through the proxy', { timeout: 60_000 }, async () => {
  const before = server.stats.proxied;
  const got = await inPage('customers', async (client) => {
    const customers = await client.customers.get();
    return {
      isArray: Array.isArray(customers.items),
      ids: customers.items.map((c) => c.id),
      totalItems: customers.totalItems,
      page: customers.page,
      me: (await client.customers.get('me')).id,
    };
  });
  assert.deepEqual(got, { isArray: true, ids: ['1001'], totalItems: 1, page: 1, me: '1001' });
  assert.ok(server.stats.proxied >= before + 2, 'the requests went through the proxy');
  const apiRequests = pageLog(page).requests.filter((r) => r.includes('/api/v1/'));
  assert.ok(apiRequests.length >= 2, formatPageLog(page));
  for (const r of apiRequests) assert.ok(r.split(' ')[1].startsWith(server.url + '/api/v1/'), r);
});

test('phone book: create, save, update, delete', { timeout: 60_000 }, async () => {
  const got = await inPage('phonebook', async (client) => {
    const customer = await client.customers.get('me');
    const list = await customer.phonebook.get();
    const entry = customer.phonebook.create({ name: 'Browser Entry', phoneNumber: '01234567890' });
    const idBefore = entry.id;
    const saved = await entry.save();
    const id = entry.id;
    const fetched = await customer.phonebook.get(id);
    fetched.name = 'Renamed in Chromium';
    await fetched.save();
    const reread = await customer.phonebook.get(id);
    await reread.delete();
    let status;
    try {
      await customer.phonebook.get(id);
      status = 'found after delete';
    } catch (err) {
      status = err.statusCode;
    }
    return {
      totalItems: list.totalItems,
      idBefore: idBefore ?? null,
      sameObject: saved === entry,
      id,
      type: entry.type,
      renamed: reread.name,
      afterDelete: status,
    };
  });
  assert.equal(got.totalItems, 23);
  assert.equal(got.idBefore, null);
  assert.ok(got.sameObject, 'save resolves to the same object');
  assert.ok(got.id, 'the server gave the entry an id');
  assert.equal(got.type, 'phonebookentry');
  assert.equal(got.renamed, 'Renamed in Chromium');
  assert.equal(got.afterDelete, 404);
});

test('errors carry statusCode 404', { timeout: 60_000 }, async () => {
  const got = await inPage('errors', async (client) => {
    try {
      await client.customers.get('999999');
      return { thrown: false };
    } catch (err) {
      return { thrown: true, isError: err instanceof Error, statusCode: err.statusCode, message: String(err.message) };
    }
  });
  assert.equal(got.thrown, true);
  assert.equal(got.isError, true);
  assert.equal(got.statusCode, 404, got.message);
  assert.deepEqual(pageLog(page).errors, [], formatPageLog(page));
});

test('a wrong password rejects with 401 at once, with no browser login dialog', { timeout: 60_000 }, async () => {
  const got = await inPage('wrong-password', async (_client, Sipcentric) => {
    const wrong = new Sipcentric({ username: 'alice', password: 'wrong', baseUrl: location.origin + '/api/v1', timeout: 20000 });
    const t0 = performance.now();
    try {
      await wrong.customers.get();
      return { thrown: false };
    } catch (err) {
      return { thrown: true, statusCode: err.statusCode, ms: performance.now() - t0, message: String(err.message) };
    }
  });
  assert.equal(got.thrown, true);
  assert.equal(got.statusCode, 401, got.message);
  assert.ok(got.ms < 10_000, `rejected after ${got.ms} ms`);
});

// waitForStream waits until the fake has n open event streams.
async function waitForStream(n) {
  for (let i = 0; i < 200; i++) {
    const { connections } = await (await fetch(`${fake.control}/streams`)).json();
    if (connections >= n) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the event stream did not connect through the proxy\n${formatPageLog(page)}`);
}

test('the event stream flows through the proxy', { timeout: 60_000 }, async () => {
  await page.evaluate(() => {
    const { Sipcentric } = globalThis.wasmphone;
    const client = new Sipcentric({ username: 'alice', password: 'alice-secret', baseUrl: location.origin + '/api/v1' });
    globalThis.streamEvents = [];
    globalThis.unsubscribe = client.stream.subscribe('incomingcall', (ev) => globalThis.streamEvents.push(ev));
  });
  await waitForStream(1);
  const event = {
    event: 'incomingcall',
    location: '/customers/1001/calls/1',
    values: { callerIdNumber: '01234567890', callerIdName: 'Chromium', endpoint: '/customers/1001/endpoints/2001' },
  };
  const res = await fetch(`${fake.control}/publish?customer=1001`, { method: 'POST', body: JSON.stringify(event) });
  assert.equal(res.status, 200);
  await withArtifacts(page, 'rest-stream', async () => {
    await page.waitForFunction(() => globalThis.streamEvents.length > 0, null, { timeout: 10_000 });
    assert.deepEqual(await page.evaluate(() => globalThis.streamEvents), [event]);
  });
  await page.evaluate(() => globalThis.unsubscribe());
});
