// The REST half of the JavaScript API against the fake PBX
// (internal/pbxfake): the flows of the original client's README, with only
// the import line changed, plus errors, paging, the rate limit, the event
// stream and the CommonJS entry.
//
// Run it with `make test` (or `make smoke`), which builds the module first.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import readline from 'node:readline';

import { Sipcentric } from '../index.mjs';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('../../', import.meta.url));

let fake;
let tmp;
let baseUrl; // http://127.0.0.1:PORT/api/v1
let control; // http://127.0.0.1:PORT/_fake

// Start the fake: build it once (native, whatever GOOS the caller has set),
// run it, read its URL line. It exits when its stdin closes.
before(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'wasmphone-rest-'));
  const bin = path.join(tmp, 'pbxfake');
  const env = { ...process.env, GOOS: '', GOARCH: '' };
  execFileSync('go', ['build', '-o', bin, './internal/pbxfake/cmd/pbxfake'], { cwd: root, env, stdio: 'inherit' });
  fake = spawn(bin, [], { cwd: root, stdio: ['pipe', 'pipe', 'ignore'], env });
  const lines = readline.createInterface({ input: fake.stdout });
  baseUrl = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('pbxfake printed no URL within 30 s')), 30_000);
    fake.once('exit', (code) => reject(new Error(`pbxfake exited (${code}) before printing its URL`)));
    lines.on('line', (line) => {
      const m = /^PBXFAKE_URL=(.+)$/.exec(line.trim());
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  control = new URL('/_fake', baseUrl).href;
});

after(() => {
  if (fake) {
    fake.stdin.end();
    fake.kill();
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  // The module keeps Node's event loop busy after the last call: timers of
  // finished requests (the REST timeout, 30 s by default) and of a closed
  // event stream (its idle timeout, 2 min) stay scheduled. Do not wait for
  // them; exit with the code node:test has set.
  setTimeout(() => process.exit(), 2000).unref();
});

function client(extra = {}) {
  return new Sipcentric({ username: 'alice', password: 'alice-secret', baseUrl, ...extra });
}

test('constructor: new works, instance of Sipcentric, customers accessor', () => {
  const sipcentric = client();
  assert.ok(sipcentric instanceof Sipcentric);
  assert.equal(typeof sipcentric.customers.get, 'function');
  assert.equal(typeof sipcentric.stream.subscribe, 'function');
  assert.deepEqual(Object.keys(sipcentric), []);
});

test('README: list customers and log customers.items', async () => {
  const sipcentric = client();
  const customers = await sipcentric.customers.get();
  assert.ok(Array.isArray(customers.items));
  assert.equal(customers.items.length, 1);
  assert.equal(customers.totalItems, 1);
  assert.equal(customers.page, 1);
  assert.equal(customers.items[0].id, '1001');
  assert.equal(typeof customers.nextPage, 'function');
  assert.ok(!Object.keys(customers).includes('nextPage'));
  // Data only: methods and accessors are not enumerable.
  const keys = Object.keys(customers.items[0]);
  for (const k of ['save', 'delete', 'phonebook', 'phonebookEntry']) assert.ok(!keys.includes(k), k);
});

test('README: customers.get("me"), fields are plain properties', async () => {
  const sipcentric = client();
  const customer = await sipcentric.customers.get('me');
  assert.equal(customer.id, '1001');
  assert.equal(customer.type, 'customer');
  assert.equal(typeof customer.email, 'string');
  assert.equal(typeof customer.save, 'function');
  assert.equal(typeof customer.phonebook.get, 'function');
  const again = await sipcentric.customers.get(1001);
  assert.equal(again.id, '1001');
});

test('README: phone book list, create+save, update, delete', async () => {
  const sipcentric = client();
  const customer = await sipcentric.customers.get('me');
  const phonebook = await customer.phonebook.get();
  assert.equal(phonebook.totalItems, 23);
  assert.equal(phonebook.items.length, 20);

  const entry = customer.phonebook.create({ name: 'Test Entry', phoneNumber: '01234567890' });
  assert.equal(entry.id, undefined);
  const saved = await entry.save();
  assert.equal(saved, entry, 'save resolves to the same object');
  assert.ok(entry.id, 'the server gave it an id');
  assert.equal(entry.name, 'Test Entry');
  assert.equal(entry.type, 'phonebookentry');

  // Update through the alias the README spells once.
  const fetched = await customer.phonebookEntry.get(entry.id);
  fetched.name = 'Renamed';
  fetched.extraField = 'kept';
  await fetched.save();
  assert.equal(fetched.name, 'Renamed');
  const reread = await customer.phonebook.get(entry.id);
  assert.equal(reread.name, 'Renamed');
  assert.equal(reread.extraField, 'kept', 'unknown fields survive');

  await reread.delete();
  await assert.rejects(customer.phonebook.get(entry.id), (err) => err.statusCode === 404);
});

test('callback form: get(cb) returns undefined and calls cb(null, value)', async () => {
  const sipcentric = client();
  const value = await new Promise((resolve, reject) => {
    const ret = sipcentric.customers.get('me', (err, v) => (err ? reject(err) : resolve(v)));
    assert.equal(ret, undefined);
  });
  assert.equal(value.id, '1001');
  const err = await new Promise((resolve) => {
    sipcentric.customers.get('999999', (e, v) => resolve(e ?? v));
  });
  assert.ok(err instanceof Error);
  assert.equal(err.statusCode, 404);
});

test('.then() form', async () => {
  const sipcentric = client();
  const id = await sipcentric.customers.get('me').then((customer) => customer.id);
  assert.equal(id, '1001');
});

test('errors: 404 and a 400 validation error', async () => {
  const sipcentric = client();
  const customer = await sipcentric.customers.get('me');
  await assert.rejects(customer.phonebook.get('424242'), (err) => {
    assert.ok(err instanceof Error);
    assert.equal(err.statusCode, 404);
    assert.ok(err.responseBody && Array.isArray(err.responseBody.errors));
    assert.equal(err.response.status, 404);
    assert.equal(err.response.statusCode, 404);
    assert.match(err.response.url, /phonebook\/424242/);
    assert.equal(typeof err.response.headers, 'object');
    return true;
  });
  const bad = customer.phonebook.create({ name: '', phoneNumber: '' });
  await assert.rejects(bad.save(), (err) => {
    assert.equal(err.message, 'Validation errors in response body');
    assert.equal(err.statusCode, 400);
    assert.ok(Array.isArray(err.responseBody.validationErrors));
    return true;
  });
  await assert.rejects(client({ password: 'wrong' }).customers.get(), (err) => err.statusCode === 401);
});

test('pagination: nextPage() and for await over all entries', async () => {
  const sipcentric = client();
  const customer = await sipcentric.customers.get('me');
  const first = await customer.phonebook.get({ pageSize: 10 });
  assert.equal(first.items.length, 10);
  assert.equal(first.pageSize, 10);
  const second = await first.nextPage();
  assert.equal(second.page, 2);
  assert.equal(second.items.length, 10);
  const back = await second.prevPage();
  assert.equal(back.page, 1);
  const third = await second.nextPage();
  assert.equal(third.items.length, 3);
  assert.equal(await third.nextPage(), null);

  const ids = [];
  for await (const entry of first) ids.push(entry.id);
  assert.equal(ids.length, 23);
  assert.equal(new Set(ids).size, 23);
});

test('rateLimit is populated after a call', async () => {
  const sipcentric = client();
  await sipcentric.customers.get('me');
  const rl = sipcentric.rateLimit;
  assert.ok(rl.limit > 0);
  assert.ok(rl.remaining >= 0 && rl.remaining < rl.limit);
  assert.equal(typeof rl.reset, 'number');
});

test('single objects and children: creditstatus, phone.sip, queue.entries', async () => {
  const sipcentric = client();
  const customer = await sipcentric.customers.get('me');
  const credit = await customer.creditstatus.get();
  assert.equal(credit.type, 'creditstatus');
  const phones = await customer.phones.get();
  assert.ok(phones.items.length >= 3);
  const sip = await phones.items[0].sip.get();
  assert.equal(sip.type, 'sipidentity');
  assert.equal(sip.username, '002001');
  const queues = await customer.queues.get();
  const entries = await queues.items[0].entries.get();
  assert.ok(Array.isArray(entries.items));
});

async function waitForStream() {
  for (let i = 0; i < 200; i++) {
    const res = await fetch(`${control}/streams`);
    const { connections } = await res.json();
    if (connections > 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the stream did not connect');
}

test('stream.subscribe receives an event; unsubscribe works', async () => {
  const sipcentric = client();
  const got = [];
  let wake;
  const unsubscribe = sipcentric.stream.subscribe('incomingcall', (event) => {
    got.push(event);
    wake?.();
  });
  assert.equal(typeof unsubscribe, 'function');
  await waitForStream();
  const event = {
    event: 'incomingcall',
    location: '/customers/1001/calls/1',
    values: { callerIdNumber: '01234567890', callerIdName: 'Test', endpoint: '/customers/1001/endpoints/2001' },
  };
  const arrived = new Promise((resolve) => { wake = resolve; });
  await fetch(`${control}/publish?customer=1001`, { method: 'POST', body: JSON.stringify(event) });
  await Promise.race([arrived, new Promise((_, rej) => setTimeout(() => rej(new Error('no event')), 10_000))]);
  assert.deepEqual(got[0], event);

  unsubscribe();
  unsubscribe(); // a second call does nothing
  await fetch(`${control}/publish?customer=1001`, { method: 'POST', body: JSON.stringify(event) });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(got.length, 1);
});

test('CommonJS entry: load() resolves to an object with Sipcentric', async () => {
  const { Sipcentric: S } = await require('../index.cjs').load();
  assert.equal(typeof S, 'function');
  const sipcentric = new S({ username: 'alice', password: 'alice-secret', baseUrl });
  const customer = await sipcentric.customers.get('me');
  assert.equal(customer.id, '1001');
});
