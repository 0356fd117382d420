// The development PBX end to end: pages served by it log in with portal
// users (SIP credentials discovered through its REST API), register over
// its /ws, and hear the echo test answer with their own fake-microphone
// beep; two pages call each other through it while a third watches the
// callee's presence and a Node client of the event stream gets
// incomingcall; the calls land in the call history.
//
// Run with `make browser`.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { Sipcentric } from '../../index.mjs';
import { launchBrowser, startDevPBX, openPage, loadModule, withArtifacts, saveArtifacts, stopAll } from './harness.mjs';
import { installPhone, until } from './phone-page.mjs';

let browser;
let pbx;

before(async () => {
  [browser, pbx] = await Promise.all([launchBrowser(), startDevPBX()]);
});

after(async () => {
  await stopAll();
  // The Node client's stream leaves Go's idle timer scheduled (up to its
  // 2 min idle bound); exit with node:test's code rather than wait.
  setTimeout(() => process.exit(), 2000).unref();
});

// phone opens a page of the dev PBX's origin with a registered UA for a
// portal user: getUA finds the extension and its SIP identity itself.
async function phone(user) {
  const page = await openPage(browser, pbx.blankUrl);
  await loadModule(page);
  await installPhone(page, {
    sipcentric: { username: user, password: `${user}-secret`, baseUrl: '{origin}/api/v1' },
    ua: { register: true, wsServer: 'ws://{host}/ws' },
  });
  return page;
}

test('the echo test returns the caller\'s own audio', { timeout: 120_000 }, async () => {
  const a = await phone('alice');
  await withArtifacts(a, 'devpbx-echo', async () => {
    assert.equal(await a.evaluate(() => globalThis.phone.ua.uri), 'sip:002001@devpbx.local');
    await a.evaluate(async () => globalThis.phone.watch(await globalThis.phone.ua.dial('*52')));
    await until(a, 'confirmed', () => globalThis.phone.log.find((l) => l.startsWith('session confirmed')));
    // The fake microphone beeps: what comes back has packets, and a level
    // that rises and falls with the beep.
    const levels = [];
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const s = await a.evaluate(() => globalThis.phone.stats());
      levels.push(s.audioLevel);
      if (s.packetsReceived > 100 && Math.max(...levels) > 0.01 && Math.min(...levels.slice(-15)) < Math.max(...levels) / 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const st = await a.evaluate(() => globalThis.phone.stats());
    assert.ok(st.packetsReceived > 100, `echoed packets: ${st.packetsReceived}`);
    const hi = Math.max(...levels);
    const lo = Math.min(...levels.slice(-15));
    assert.ok(hi > 0.01, `the echo carries the beep (max level ${hi})`);
    assert.ok(lo < hi / 2, `the level follows the beep (min ${lo}, max ${hi})`);
    await a.evaluate(() => globalThis.phone.session.terminate());
    await until(a, 'ended', () => globalThis.phone.log.find((l) => l.startsWith('session ended')));
  });
  await a.evaluate(() => globalThis.phone.ua.stop());
});

test('two pages call through the dev PBX; presence and the event stream follow', { timeout: 180_000 }, async () => {
  const sc = new Sipcentric({ username: 'alice', password: 'alice-secret', baseUrl: pbx.api });
  const incoming = [];
  const unsubscribe = sc.stream.subscribe('incomingcall', (ev) => incoming.push(ev));
  const [a, b, c] = await Promise.all([phone('alice'), phone('bob'), phone('carol')]);
  try {
    await withArtifacts(a, 'devpbx-call', async () => {
      await c.evaluate(() => globalThis.phone.ua.subscribeToUser('002002'));
      await until(c, 'AVAILABLE', () => globalThis.phone.states.includes('002002 AVAILABLE'));
      await b.evaluate(() => {
        globalThis.phone.ua.once('newRTCSession', ({ session }) => { setTimeout(() => session.answer(), 1500); });
      });
      await a.evaluate(async () => globalThis.phone.watch(await globalThis.phone.ua.dial('2002')));
      await until(c, 'RINGING', () => globalThis.phone.states.includes('002002 RINGING'));
      await until(a, 'confirmed', () => globalThis.phone.log.find((l) => l.startsWith('session confirmed')));
      await until(c, 'BUSY', () => globalThis.phone.states.includes('002002 BUSY'));
      for (const [page, name] of [[a, 'caller'], [b, 'callee']]) {
        await until(page, `${name} inbound audio`, async () => {
          const s = await globalThis.phone.stats();
          return s && s.packetsReceived > 50 && s.audioLevel > 0;
        });
      }
      await saveArtifacts(a, 'devpbx-call-in-progress');
      await a.evaluate(() => globalThis.phone.session.terminate());
      await until(b, 'ended', () => globalThis.phone.log.find((l) => l.startsWith('session ended')));
      await until(c, 'AVAILABLE again', () => globalThis.phone.states.lastIndexOf('002002 AVAILABLE') > globalThis.phone.states.indexOf('002002 BUSY'));
    });
    // The stream told alice's customer about the call to extension 2002.
    const deadline = Date.now() + 10_000;
    while (incoming.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(incoming.length > 0, 'incomingcall on the event stream');
    assert.equal(incoming[0].event, 'incomingcall');
    // The history has the answered call.
    const customer = await sc.customers.get('me');
    const calls = await customer.calls.get();
    assert.ok(calls.items.some((call) => String(call.to ?? '').includes('2002') || String(call.to ?? '').includes('002002')),
      `the call is in the history: ${JSON.stringify(calls.items.slice(0, 3))}`);
  } finally {
    unsubscribe();
    for (const p of [a, b, c]) await p.evaluate(() => globalThis.phone.ua.stop()).catch(() => {});
  }
});

test('the softphone page, served by the dev PBX, logs in and calls the echo test', { timeout: 120_000 }, async () => {
  const page = await openPage(browser, `${pbx.url}/`); // redirects to the softphone
  await withArtifacts(page, 'devpbx-softphone', async () => {
    await page.getByRole('button', { name: 'Log in' }).waitFor({ timeout: 60_000 });
    assert.equal(new URL(page.url()).pathname, '/examples/softphone/');
    // The defaults point at the serving PBX: only the login is typed.
    await page.getByLabel('Portal username').fill('alice');
    await page.getByLabel('Portal password').fill('alice-secret');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('#status-text', { hasText: /^Registered$/ }).waitFor({ timeout: 20_000 });
    await page.getByLabel('Number').fill('*52');
    await page.getByRole('button', { name: 'Dial' }).click();
    await page.locator('#log .msg', { hasText: /^call confirmed$/ }).waitFor({ timeout: 20_000 });
    const levels = [];
    let st;
    for (let i = 0; i < 100; i++) {
      st = await page.evaluate(() => window.softphone.session.getStats());
      levels.push(st.audioLevel);
      if (st.packetsReceived > 100 && Math.max(...levels) > 0.01 && Math.min(...levels.slice(-15)) < Math.max(...levels) / 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(st.packetsReceived > 100, `echoed packets: ${st.packetsReceived}`);
    assert.ok(Math.max(...levels) > 0.01, 'the echo carries the beep');
    assert.ok(Math.min(...levels.slice(-15)) < Math.max(...levels) / 2, 'the level follows the beep');
    await saveArtifacts(page, 'devpbx-softphone-echo');
    await page.getByRole('button', { name: 'Hang up' }).click();
    await page.locator('#log .msg', { hasText: /^call ended with cause: / }).waitFor({ timeout: 10_000 });
  });
});
