// The presence example (web/examples/presence/presence.mjs) as a user runs
// it: a child process against the fake API and Kamailio, which lists every
// phone of customer 1001 (through more than one page), subscribes to each
// phone's SIP user and shows them all AVAILABLE; Ctrl-C (SIGINT) ends it
// cleanly; a wrong password ends it with the reason.
//
// Run with `make smoke` (part of `make test`).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { startPbxfake, startKamailio, stopAll } from './browser/harness.mjs';

const EXAMPLE = fileURLToPath(new URL('../examples/presence/presence.mjs', import.meta.url));

// The phones of customer 1001, as the fake API seeds them.
const PHONES = [['201', 'Alice Smith'], ['202', 'Bob Jones'], ['203', 'Reception']];

let api;
let kam;
const children = new Set();

before(async () => {
  // The watcher is alice's default extension 2001 (SIP user 002001).
  [api, kam] = await Promise.all([
    startPbxfake(),
    startKamailio({
      domain: 'sip.sipcentric.com',
      users: { '002001': 'sip-secret-2001', '002002': 'sip-secret-2002', '002003': 'sip-secret-2003' },
    }),
  ]);
});

after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await stopAll();
  // Go's runtime leaves its last idle timer scheduled in Node after the
  // work is done; exit with the code node:test has set rather than wait.
  setTimeout(() => process.exit(), 2000).unref();
});

// run starts the example with the portal login in the environment (plus
// env) and args; done resolves to {code, signal, stdout, stderr} at exit.
function run(args, env = {}) {
  const child = spawn(process.execPath, [EXAMPLE, ...args], {
    env: {
      PATH: process.env.PATH,
      SIPCENTRIC_USERNAME: 'alice',
      SIPCENTRIC_PASSWORD: 'alice-secret',
      SIPCENTRIC_BASE_URL: api.url,
      SIPCENTRIC_WS_SERVER: kam.ws,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const result = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (s) => { result.stdout += s; });
  child.stderr.setEncoding('utf8').on('data', (s) => { result.stderr += s; });
  const done = new Promise((resolve) => child.on('exit', (code, signal) => {
    children.delete(child);
    resolve({ ...result, code, signal });
  }));
  return { child, result, done };
}

// within rejects when p has not settled within ms.
function within(p, ms, what) {
  let timer;
  return Promise.race([
    p,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

const lines = (text) => text.split('\n').filter((l) => l !== '');

test('--once prints one line per phone extension, all AVAILABLE, without colours in a pipe', { timeout: 60_000 }, async () => {
  const { done } = run(['--once']);
  const r = await within(done, 45_000, 'presence --once');
  assert.equal(r.code, 0, `exit code; stderr:\n${r.stderr}`);
  assert.deepEqual(lines(r.stdout), PHONES.map(([n, name]) => `● ${n} - ${name} (AVAILABLE)`));
  assert.doesNotMatch(r.stdout, /\x1b/, 'no escape sequences when stdout is not a terminal');
});

test('every page of phones is listed, and FORCE_COLOR paints AVAILABLE green', { timeout: 60_000 }, async () => {
  // Two phones per request: the third comes from the second page.
  const { done } = run(['--page-size', '2'], { SIPCENTRIC_ONCE: '1', FORCE_COLOR: '1', SIPCENTRIC_CUSTOMER_ID: '1001' });
  const r = await within(done, 45_000, 'presence, SIPCENTRIC_ONCE');
  assert.equal(r.code, 0, `exit code; stderr:\n${r.stderr}`);
  assert.deepEqual(lines(r.stdout), PHONES.map(([n, name]) => `\x1b[32m●\x1b[0m ${n} - ${name}`));
});

test('NO_COLOR: no colours; the table is printed as it changes; Ctrl-C (SIGINT) exits 0', { timeout: 60_000 }, async () => {
  const { child, result, done } = run([], { NO_COLOR: '1' });
  const want = PHONES.map(([n, name]) => `● ${n} - ${name} (AVAILABLE)`);
  // Without a terminal the table is printed again whenever it changes.
  await within((async () => {
    while (!want.every((l) => result.stdout.includes(`${l}\n`))) {
      if (child.exitCode !== null) throw new Error(`exited early (${child.exitCode}): ${result.stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  })(), 45_000, 'all AVAILABLE');
  child.kill('SIGINT');
  const r = await within(done, 15_000, 'exit after SIGINT');
  assert.equal(r.code, 0, `exit code after SIGINT; stderr:\n${r.stderr}`);
  assert.equal(r.signal, null);
  assert.doesNotMatch(r.stdout, /\x1b/);
});

test('a wrong portal password ends with the reason and exit code 1', { timeout: 60_000 }, async () => {
  const { done } = run(['--once'], { SIPCENTRIC_PASSWORD: 'wrong' });
  const r = await within(done, 45_000, 'presence with a wrong password');
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^presence: .*401/m);
  assert.doesNotMatch(r.stderr, /wrong/, 'the password is not printed');
});

test('options are checked before anything is sent', { timeout: 30_000 }, async () => {
  const bad = await within(run(['--page-size', 'lots']).done, 20_000, 'bad option');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--page-size must be a number/);
  const none = await within(run(['--once'], { SIPCENTRIC_USERNAME: '' }).done, 20_000, 'no login');
  assert.equal(none.code, 2);
  assert.match(none.stderr, /portal username and password are needed/);
});
