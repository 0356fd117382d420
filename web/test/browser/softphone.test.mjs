// The softphone example (web/examples/softphone/) in two Chromium pages:
// page A logs in with a portal login (the fake API gives extension 2001's
// SIP account), page B with an explicit SIP account (002002); both register
// with Kamailio; A dials B, B answers by itself, audio flows, hold and
// unhold change the log and the button, and hanging up returns both pages
// to idle; meanwhile the presence example (web/examples/presence/) shows
// both extensions busy, then free. A portal login without a phone and an
// unreachable callee show in the log without leaving the buttons wrong.
//
// Run with `make browser`.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import {
  launchBrowser, startServer, startPbxfake, startKamailio, openPage, withArtifacts, saveArtifacts, stopAll,
} from './harness.mjs';

let browser;
let server;
let kam;
let fake;

before(async () => {
  [browser, fake, kam] = await Promise.all([
    launchBrowser(),
    startPbxfake(),
    // The fake API's phones 2001 and 2002 (customer 1001) have SIP users
    // 002001 and 002002 in sip.sipcentric.com.
    startKamailio({
      domain: 'sip.sipcentric.com',
      users: { '002001': 'sip-secret-2001', '002002': 'sip-secret-2002' },
    }),
  ]);
  server = await startServer({ api: fake.apiUpstream });
});

after(async () => {
  watcher?.kill('SIGKILL');
  await stopAll();
});

// The presence example, watching the same extensions during the call.
let watcher;
const PRESENCE = fileURLToPath(new URL('../../examples/presence/presence.mjs', import.meta.url));

// startPresence runs the presence example with colours in a pipe (it then
// prints the table whenever it changes); out() is what it printed so far.
function startPresence() {
  watcher = spawn(process.execPath, [PRESENCE], {
    env: {
      PATH: process.env.PATH,
      FORCE_COLOR: '1',
      SIPCENTRIC_USERNAME: 'alice',
      SIPCENTRIC_PASSWORD: 'alice-secret',
      SIPCENTRIC_BASE_URL: fake.url,
      SIPCENTRIC_WS_SERVER: kam.ws,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  watcher.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
  watcher.stderr.setEncoding('utf8').on('data', (d) => { err += d; });
  const exited = new Promise((resolve) => watcher.on('exit', (code) => resolve(code)));
  return { out: () => out, err: () => err, exited, child: watcher };
}

// untilPrinted waits until the presence example printed, after from, a
// table whose lines include all of want; returns the offset after it.
async function untilPrinted(p, from, want, ms = 20_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const tables = p.out().slice(from).split('\n\n');
    let at = from;
    for (const t of tables) {
      at += t.length + 2;
      const lines = t.split('\n');
      if (want.every((w) => lines.includes(w))) return at;
    }
    if (Date.now() > deadline) {
      throw new Error(`presence printed no table with ${JSON.stringify(want)}; output:\n${JSON.stringify(p.out().slice(from))}\nstderr:\n${p.err()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

const green = (l) => `\x1b[32m●\x1b[0m ${l}`;
const red = (l) => `\x1b[31m●\x1b[0m ${l}`;

// openSoftphone opens the example and waits until the module has loaded
// (the login button is enabled).
async function openSoftphone() {
  const page = await openPage(browser, `${server.url}/examples/softphone/`);
  await page.getByRole('button', { name: 'Log in' }).waitFor({ timeout: 60_000 });
  assert.equal(await page.title(), 'Sipcentric Softphone');
  assert.equal(await page.locator('h1').textContent(), 'Sipcentric Softphone');
  return page;
}

// logLines returns the page's log messages, oldest first.
const logLines = (page) => page.locator('#log .msg').allTextContents();

// untilLog waits until the page's log has a line that matches (a string
// means an exact line) and returns it.
async function untilLog(page, match, ms = 20_000) {
  const test = typeof match === 'string' ? (l) => l === match : (l) => match.test(l);
  const deadline = Date.now() + ms;
  for (;;) {
    const lines = await logLines(page);
    const hit = lines.find(test);
    if (hit) return hit;
    if (Date.now() > deadline) throw new Error(`no log line ${match} within ${ms} ms; log:\n${lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

// buttons returns which of the phone's buttons are enabled, and the hold
// and mute labels.
function buttons(page) {
  return page.evaluate(() => {
    const b = (id) => document.getElementById(id);
    return {
      dial: !b('dial').disabled,
      hangup: !b('hangup').disabled,
      hold: !b('hold').disabled,
      holdLabel: b('hold').textContent,
      mute: !b('mute').disabled,
    };
  });
}

async function untilButtons(page, want, ms = 15_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = await buttons(page);
    if (Object.entries(want).every(([k, v]) => got[k] === v)) return got;
    if (Date.now() > deadline) assert.deepEqual(got, { ...got, ...want }, 'buttons');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function statusText(page) {
  return page.locator('#status-text').textContent();
}

async function untilRegistered(page) {
  await page.locator('#status-text', { hasText: /^Registered$/ }).waitFor({ timeout: 20_000 });
  assert.equal(await page.locator('#indicator').evaluate((e) => e.classList.contains('registered')), true);
  await untilLog(page, 'phone registered');
}

test('the softphone logs in, calls, holds and hangs up', { timeout: 240_000 }, async () => {
  const [a, b] = await Promise.all([openSoftphone(), openSoftphone()]);
  await withArtifacts(a, 'softphone-caller', async () => {
    // The defaults follow the page's origin.
    assert.equal(await a.inputValue('#base-url'), `${server.url}/api/v1`);
    assert.equal(await a.inputValue('#ws-server'), `${server.url.replace(/^http/, 'ws')}/ws`);
    assert.equal(await statusText(a), 'Not Registered');

    // A portal login without a phone: getUA rejects, the log says why and
    // the form stays usable.
    await a.getByLabel('Portal username').fill('nobody');
    await a.getByLabel('Portal password').fill('nobody-secret');
    await a.getByLabel('SIP WebSocket URL').fill(kam.ws);
    await a.getByRole('button', { name: 'Log in' }).click();
    const failed = await untilLog(a, /^login failed: /);
    assert.match(failed, /does not have access to any customers/);
    assert.equal(await a.locator('#login').isVisible(), true);
    assert.equal(await a.getByRole('button', { name: 'Log in' }).isEnabled(), true);
    assert.equal(await a.locator('#login-error').isVisible(), true);

    // A: the portal login; the phone's SIP account is discovered.
    await a.getByLabel('Portal username').fill('alice');
    await a.getByLabel('Portal password').fill('alice-secret');
    await a.getByRole('button', { name: 'Log in' }).click();
    // B: an explicit SIP account, no portal login.
    await b.getByLabel('SIP WebSocket URL').fill(kam.ws);
    await b.locator('#sip-account summary').click();
    await b.getByLabel('SIP username').fill('002002');
    await b.getByLabel('SIP password').fill('sip-secret-2002');
    await b.getByLabel('SIP domain').fill('sip.sipcentric.com');
    await b.getByRole('button', { name: 'Log in' }).click();
    await Promise.all([untilRegistered(a), untilRegistered(b)]);
    assert.equal(await a.locator('#account').textContent(), 'sip:002001@sip.sipcentric.com');
    assert.equal(await b.locator('#account').textContent(), 'sip:002002@sip.sipcentric.com');
    for (const page of [a, b]) {
      const lines = await logLines(page);
      for (const secret of ['alice-secret', 'nobody-secret', 'sip-secret-2001', 'sip-secret-2002']) {
        assert.ok(!lines.some((l) => l.includes(secret)), `no password in the log: ${lines.join(' | ')}`);
      }
      assert.equal(await page.inputValue('#password'), '', 'the password field is cleared');
      assert.equal(await page.inputValue('#sip-password'), '');
    }

    // The presence example sees both extensions free.
    const presence = startPresence();
    let seen = await untilPrinted(presence, 0, [green('201 - Alice Smith'), green('202 - Bob Jones')]);

    // Idle: nothing but typing a number enables Dial.
    assert.deepEqual(await buttons(a), { dial: false, hangup: false, hold: false, holdLabel: 'Hold', mute: false });
    await a.getByLabel('Number').fill('002002');
    await untilButtons(a, { dial: true, hangup: false, hold: false });

    // A calls B; B answers by itself.
    await a.getByRole('button', { name: 'Dial' }).click();
    await untilButtons(a, { dial: false });
    await untilLog(b, 'new incoming call');
    await untilLog(a, 'call confirmed');
    await untilLog(b, 'call confirmed');
    await untilButtons(a, { dial: false, hangup: true, hold: true, holdLabel: 'Hold', mute: true });
    await untilButtons(b, { dial: false, hangup: true, hold: true, holdLabel: 'Hold' });
    // ... and both busy during the call.
    seen = await untilPrinted(presence, seen, [red('201 - Alice Smith'), red('202 - Bob Jones')]);

    // Audio both ways (the fake microphone beeps), and each page's <audio>
    // element plays the other side.
    for (const [page, name] of [[a, 'A'], [b, 'B']]) {
      const st = await untilValue(page, `inbound audio at ${name}`, async () => {
        const s = await globalThis.softphone.session?.getStats();
        return s && s.packetsReceived > 50 && s.audioLevel > 0 ? s : null;
      });
      assert.ok(st.packetsSent > 50, `${name} sends audio`);
      assert.equal(await page.evaluate(() => document.getElementById('remote-audio').srcObject instanceof MediaStream), true);
    }
    await saveArtifacts(a, 'softphone-in-call');

    // Hold and unhold: the log and the button follow.
    await a.getByRole('button', { name: 'Hold' }).click();
    await untilLog(a, 'call is on hold');
    await untilButtons(a, { hold: true, holdLabel: 'Unhold' });
    await untilLog(b, 'the other party put the call on hold');
    assert.deepEqual(await a.evaluate(() => globalThis.softphone.session.isOnHold()), { local: true, remote: false });
    await a.getByRole('button', { name: 'Unhold' }).click();
    await untilLog(a, 'call is off hold');
    await untilButtons(a, { hold: true, holdLabel: 'Hold' });

    // Mute is local and toggles its label.
    await a.getByRole('button', { name: 'Mute' }).click();
    await untilLog(a, 'microphone muted');
    await untilButtons(a, { mute: true });
    assert.equal(await a.locator('#mute').textContent(), 'Unmute');
    await a.getByRole('button', { name: 'Unmute' }).click();
    await untilLog(a, 'microphone unmuted');

    // The keypad sends DTMF during the call.
    await a.locator('#keypad').getByRole('button', { name: '5' }).click();
    await untilLog(a, 'sent DTMF 5');

    // A hangs up: both pages log the end and go back to idle.
    await a.getByRole('button', { name: 'Hang up' }).click();
    const endedA = await untilLog(a, /^call ended with cause: /);
    const endedB = await untilLog(b, /^call ended with cause: /);
    assert.equal(endedA, 'call ended with cause: BYE');
    assert.equal(endedB, 'call ended with cause: BYE');
    await untilButtons(a, { dial: true, hangup: false, hold: false, holdLabel: 'Hold', mute: false });
    await untilButtons(b, { dial: false, hangup: false, hold: false, holdLabel: 'Hold', mute: false });
    assert.equal(await a.evaluate(() => globalThis.softphone.session), null);
    assert.equal(await a.evaluate(() => document.getElementById('remote-audio').srcObject), null);
    // The presence example sees them free again; Ctrl-C ends it with 0.
    await untilPrinted(presence, seen, [green('201 - Alice Smith'), green('202 - Bob Jones')]);
    presence.child.kill('SIGINT');
    assert.equal(await presence.exited, 0, `presence exit code; stderr:\n${presence.err()}`);

    // A callee nobody registered as: the call fails, the log says why and
    // the buttons are idle again.
    await a.getByLabel('Number').fill('009999');
    await a.getByRole('button', { name: 'Dial' }).click();
    const why = await untilLog(a, /^call failed with cause: /);
    assert.notEqual(why, 'call failed with cause: ');
    await untilButtons(a, { dial: true, hangup: false, hold: false, mute: false });

    // The registration is intact after all that.
    assert.equal(await statusText(a), 'Registered');
    await saveArtifacts(a, 'softphone');
    await saveArtifacts(b, 'softphone-callee');

    // Logging out unregisters and shows the form again.
    await a.getByRole('button', { name: 'Log out' }).click();
    await untilLog(a, 'logged out');
    assert.equal(await statusText(a), 'Not Registered');
    assert.equal(await a.locator('#login').isVisible(), true);
    assert.deepEqual((await pageErrors(a)), []);
  });
  await b.getByRole('button', { name: 'Log out' }).click();
  await untilLog(b, 'logged out');
});

// untilValue polls fn in the page until it returns a truthy value.
async function untilValue(page, what, fn, ms = 20_000) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    last = await page.evaluate(fn);
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function pageErrors(page) {
  const { pageLog } = await import('./harness.mjs');
  return pageLog(page).errors;
}
