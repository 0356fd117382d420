// Chromium reaches the harness's Kamailio: a page opens a SIP WebSocket
// (subprotocol "sip") to KAMAILIO_WS and gets 200 to an OPTIONS for the
// server and a 401 challenge to a REGISTER. The ground the phone tests
// stand on.
//
// Run with `make browser`.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { launchBrowser, startServer, startKamailio, openPage, withArtifacts, stopAll } from './harness.mjs';

let browser;
let server;
let kam;

before(async () => {
  [browser, kam, server] = await Promise.all([
    launchBrowser(),
    startKamailio({ users: { alice: 'alice-pw' }, count: 2 }),
    startServer(),
  ]);
});

after(stopAll);

test('startKamailio reports its endpoint, domain and users', () => {
  assert.match(kam.ws, /^ws:\/\/127\.0\.0\.1:\d+$/);
  assert.match(kam.sip, /^127\.0\.0\.1:\d+$/);
  assert.equal(kam.domain, 'test.local');
  assert.deepEqual(kam.users, { 1001: '1001-secret', 1002: '1002-secret', alice: 'alice-pw' });
});

test('a page talks SIP over WebSocket to Kamailio', { timeout: 60_000 }, async () => {
  const page = await openPage(browser, server.blankUrl);
  const got = await withArtifacts(page, 'kamailio-ws', () => page.evaluate(async ({ ws, domain }) => {
    const sock = new WebSocket(ws, 'sip');
    const replies = [];
    let waiting;
    sock.onmessage = (ev) => {
      replies.push(String(ev.data));
      waiting?.();
    };
    await new Promise((resolve, reject) => {
      sock.onopen = resolve;
      sock.onerror = () => reject(new Error(`WebSocket to ${ws} failed`));
    });
    const next = () => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no SIP reply within 5 s')), 5000);
      const take = () => {
        if (replies.length === 0) return false;
        clearTimeout(timer);
        waiting = undefined;
        resolve(replies.shift());
        return true;
      };
      if (!take()) waiting = take;
    });
    const tag = Math.random().toString(36).slice(2);
    const request = (method, uri, cseq) => [
      `${method} ${uri} SIP/2.0`,
      `Via: SIP/2.0/WSS ${tag}.invalid;branch=z9hG4bK${tag}${cseq}`,
      'Max-Forwards: 70',
      `From: <sip:alice@${domain}>;tag=${tag}`,
      `To: <sip:alice@${domain}>`,
      `Call-ID: ${tag}`,
      `CSeq: ${cseq} ${method}`,
      `Contact: <sip:${tag}@${tag}.invalid;transport=ws>`,
      'Expires: 60',
      'Content-Length: 0',
      '', '',
    ].join('\r\n');
    sock.send(request('OPTIONS', `sip:${domain}`, 1));
    const options = (await next()).split('\r\n')[0];
    sock.send(request('REGISTER', `sip:${domain}`, 2));
    const register = await next();
    sock.close();
    return {
      protocol: sock.protocol,
      options,
      register: register.split('\r\n')[0],
      challenge: /^WWW-Authenticate:.*realm="([^"]+)"/mi.exec(register)?.[1] ?? null,
    };
  }, { ws: kam.ws, domain: kam.domain }));
  assert.equal(got.protocol, 'sip');
  assert.equal(got.options, 'SIP/2.0 200 OK');
  assert.match(got.register, /^SIP\/2\.0 401 /);
  assert.equal(got.challenge, kam.domain);
  await page.close();
});

test('stopping Kamailio closes its port', { timeout: 30_000 }, async () => {
  await kam.stop();
  const port = Number(new URL(kam.ws).port);
  const net = await import('node:net');
  const refused = await new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    c.once('connect', () => { c.destroy(); resolve(false); });
    c.once('error', () => resolve(true));
  });
  assert.ok(refused, `Kamailio still listens on ${port} after stop`);
  assert.match(kam.log(), /kamailio log:/);
});
