// The phone in Node.js: getUA finds SIP credentials through the REST API,
// registers to Kamailio over the ws package's WebSocket, watches presence,
// and refuses calls (they need a browser).
//
// Run with `make smoke` (part of `make test`).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { Sipcentric } from '../index.mjs';
import { startPbxfake, startKamailio, stopAll } from './browser/harness.mjs';

let api;
let kam;

before(async () => {
  // The fake API's phones 2001 and 2002 (customer 1001) have SIP users
  // 002001 and 002002 in sip.sipcentric.com: Kamailio knows them.
  [api, kam] = await Promise.all([
    startPbxfake(),
    startKamailio({
      domain: 'sip.sipcentric.com',
      users: { '002001': 'sip-secret-2001', '002002': 'sip-secret-2002', watcher: 'watcher-pw' },
    }),
  ]);
});

after(async () => {
  await stopAll();
  // Go's runtime leaves its last idle timer (up to the 30 s of a
  // transaction or request bound) scheduled in Node after the work is
  // done; exit with the code node:test has set rather than wait for it.
  setTimeout(() => process.exit(), 2000).unref();
});

function once(emitter, name, ms = 10_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${name} event within ${ms} ms`)), ms);
    emitter.once(name, (...args) => {
      clearTimeout(timer);
      resolve(args);
    });
  });
}

test('getUA discovers the SIP credentials and registers', { timeout: 60_000 }, async () => {
  const sc = new Sipcentric({ username: 'alice', password: 'alice-secret', baseUrl: api.url });
  const ua = await sc.getUA({ register: true, wsServer: kam.ws });
  try {
    assert.equal(ua.uri, 'sip:002001@sip.sipcentric.com');
    assert.match(ua.instanceId, /^[0-9a-f-]{36}$/);
    const [data] = await once(ua, 'registered');
    assert.equal(data.response.status_code, 200);
    assert.equal(ua.isRegistered(), true);
    assert.equal(ua.isConnected(), true);
    assert.equal(data.response.headers.authorization, undefined, 'credentials never reach JavaScript');

    // The same Sipcentric keeps one instance id (Node has no localStorage).
    const again = await sc.getUA({ wsServer: kam.ws, extensionId: '2002' });
    assert.equal(again.instanceId, ua.instanceId);
    assert.equal(again.uri, 'sip:002002@sip.sipcentric.com');
    await again.stop();
  } finally {
    await ua.stop();
  }
  assert.equal(ua.isRegistered(), false);
});

test('getUA rejects what it cannot use, and every promise settles', { timeout: 30_000 }, async () => {
  const sc = new Sipcentric({ username: 'alice', password: 'alice-secret', baseUrl: api.url });
  await assert.rejects(sc.getUA({ wsServer: kam.ws, registerExpires: -5 }), /registerExpires/);
  await assert.rejects(sc.getUA({ wsServer: 'http://127.0.0.1:1/', username: 'u', password: 'p' }), /ws/);
  await assert.rejects(sc.getUA({ wsServer: kam.ws, extensionId: '9999' }), (err) => err.statusCode === 404);
  const nobody = new Sipcentric({ username: 'nobody', password: 'nobody-secret', baseUrl: api.url });
  await assert.rejects(nobody.getUA({ wsServer: kam.ws }), /does not have access to any customers/);
  const wrong = new Sipcentric({ username: 'alice', password: 'wrong', baseUrl: api.url });
  await assert.rejects(wrong.getUA({ wsServer: kam.ws }), (err) => err.statusCode === 401);
});

test('a wrong SIP password fails registration, without looping', { timeout: 30_000 }, async () => {
  const sc = new Sipcentric({ username: 'alice', password: 'alice-secret', baseUrl: api.url });
  const ua = await sc.getUA({ register: true, wsServer: kam.ws, username: '002001', password: 'nope' });
  try {
    const [data] = await once(ua, 'registrationFailed');
    assert.equal(data.cause, 'Authentication Error');
    assert.equal(ua.isRegistered(), false);
  } finally {
    await ua.stop();
  }
});

test('presence: userStateChanged reports an idle extension as AVAILABLE', { timeout: 30_000 }, async () => {
  const sc = new Sipcentric({ username: 'alice', password: 'alice-secret', baseUrl: api.url });
  const ua = await sc.getUA({ wsServer: kam.ws, username: 'watcher', password: 'watcher-pw' });
  try {
    await once(ua, 'connected');
    const changed = once(ua, 'userStateChanged');
    await ua.subscribeToUser('002002');
    const [user, state] = await changed;
    assert.equal(user, '002002');
    assert.equal(state, 'AVAILABLE');
    await ua.clearSubscriptions();
  } finally {
    await ua.stop();
  }
});

test('calls need a browser: dial rejects in Node with the reason', { timeout: 30_000 }, async () => {
  const sc = new Sipcentric({ username: 'alice', password: 'alice-secret', baseUrl: api.url });
  const ua = await sc.getUA({ wsServer: kam.ws, username: '002001', password: 'sip-secret-2001' });
  try {
    await assert.rejects(ua.dial('2002'), /needs? a browser \(WebRTC\)/);
    await assert.rejects(ua.call('sip:002002@sip.sipcentric.com'), /WebRTC/);
  } finally {
    await ua.stop();
  }
});
