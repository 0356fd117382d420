// Calls between two Chromium pages through Kamailio, with the fake
// microphone: both pages' getStats show inbound audio with a level above
// zero; hold stops the inbound packets and unhold brings them back; DTMF
// arrives; a third page's userStateChanged goes RINGING, BUSY, AVAILABLE;
// the library binds and unbinds the <audio> elements itself.
//
// Run with `make browser`.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import {
  launchBrowser, startServer, startKamailio, openPage, loadModule, withArtifacts, saveArtifacts, stopAll,
} from './harness.mjs';
import { installPhone, until, inboundDelta } from './phone-page.mjs';

let browser;
let server;
let kam;

before(async () => {
  [browser, kam, server] = await Promise.all([launchBrowser(), startKamailio({ count: 3 }), startServer()]);
});

after(stopAll);

// phone opens a page with a registered UA for a Kamailio user.
async function phone(user) {
  const page = await openPage(browser, server.blankUrl);
  await loadModule(page);
  if (process.env.WASMPHONE_SIP_TRACE) await page.evaluate(() => { globalThis.WASMPHONE_DEBUG = true; });
  await installPhone(page, {
    sipcentric: { username: 'portal', password: 'unused', baseUrl: '{origin}/api/v1' },
    ua: { register: true, wsServer: kam.ws, domain: kam.domain, username: user, password: kam.users[user] },
  });
  return page;
}

test('two pages call each other through Kamailio with real audio', { timeout: 180_000 }, async () => {
  const [a, b, c] = await Promise.all([phone('1001'), phone('1002'), phone('1003')]);
  await withArtifacts(a, 'call-caller', async () => {
    // The watcher sees the callee idle first.
    await c.evaluate(() => globalThis.phone.ua.subscribeToUser('1002'));
    await until(c, 'AVAILABLE', () => globalThis.phone.states.includes('1002 AVAILABLE'));

    // B rings for a while, so the watcher sees RINGING, then answers.
    await b.evaluate(() => {
      globalThis.phone.ua.once('newRTCSession', ({ session }) => {
        setTimeout(() => session.answer().catch((e) => globalThis.phone.log.push(`answer failed ${e}`)), 1500);
      });
    });
    await a.evaluate(async () => {
      const p = globalThis.phone;
      const s = await p.ua.dial('1002');
      p.watch(s);
    });
    await until(c, 'RINGING', () => globalThis.phone.states.includes('1002 RINGING'));
    await until(a, 'confirmed', () => globalThis.phone.log.find((l) => l.startsWith('session confirmed')));
    await until(c, 'BUSY', () => globalThis.phone.states.includes('1002 BUSY'));

    // Audio both ways: packets and a level above zero (the fake
    // microphone beeps), and the remote <audio> plays the call.
    for (const [page, name] of [[a, 'caller'], [b, 'callee']]) {
      const st = await until(page, `${name} inbound audio`, async () => {
        const s = await globalThis.phone.stats();
        return s && s.packetsReceived > 50 && s.audioLevel > 0 ? s : null;
      });
      assert.ok(st.packetsSent > 50, `${name} sends audio`);
      const el = await page.evaluate(() => {
        const audio = document.getElementById('remote');
        return { bound: audio.srcObject instanceof MediaStream, same: audio.srcObject === globalThis.phone.session.remoteStream };
      });
      assert.deepEqual(el, { bound: true, same: true }, `${name}'s <audio> plays the remote stream`);
    }
    const ids = await a.evaluate(() => [localStorage.getItem('sc-instance-id'), globalThis.phone.ua.instanceId]);
    assert.match(ids[0], /^[0-9a-f-]{36}$/, 'the instance id is kept in localStorage');
    assert.equal(ids[1], ids[0]);
    const pc = await a.evaluate(() => globalThis.phone.session.connection instanceof RTCPeerConnection);
    assert.ok(pc, 'session.connection is the RTCPeerConnection');
    const ident = await b.evaluate(() => [globalThis.phone.session.remote_identity.uri.user, globalThis.phone.session.direction]);
    assert.deepEqual(ident, ['1001', 'incoming']);

    // Hold (a sendonly offer, answered recvonly) stops what A receives
    // from B; unhold brings it back.
    await a.evaluate(() => globalThis.phone.session.hold());
    assert.deepEqual(await a.evaluate(() => globalThis.phone.session.isOnHold()), { local: true, remote: false });
    await until(b, 'remote hold', () => globalThis.phone.session.isOnHold().remote);
    await new Promise((r) => setTimeout(r, 500));
    const held = await inboundDelta(a, 1500);
    assert.ok(held < 10, `A got ${held} packets in 1.5 s while holding`);
    await a.evaluate(() => globalThis.phone.session.unhold());
    await until(b, 'remote unhold', () => !globalThis.phone.session.isOnHold().remote);
    await new Promise((r) => setTimeout(r, 500));
    const resumed = await inboundDelta(a, 1500);
    assert.ok(resumed > 40, `A got ${resumed} packets in 1.5 s after unhold`);

    // An ICE restart (what recovery after a network change does) keeps
    // the audio flowing both ways.
    const ufrag = () => /a=ice-ufrag:(\S+)/.exec(globalThis.phone.session.connection.remoteDescription.sdp)[1];
    const before = await b.evaluate(ufrag);
    await a.evaluate(() => globalThis.phone.session.renegotiate({ iceRestart: true }));
    // What B received is the restarted offer with its candidates (no
    // trickle ICE: an offer without them could not connect anew).
    const got = await b.evaluate((f) => {
      const sdp = globalThis.phone.session.connection.remoteDescription.sdp;
      return { ufrag: /a=ice-ufrag:(\S+)/.exec(sdp)[1], candidates: (sdp.match(/^a=candidate:/gm) || []).length };
    });
    assert.notEqual(got.ufrag, before, 'new ICE credentials');
    assert.ok(got.candidates > 0, 'the restarted offer carries candidates');
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(await inboundDelta(a, 1500) > 40, 'A hears B after the ICE restart');
    assert.ok(await inboundDelta(b, 1500) > 40, 'B hears A after the ICE restart');

    // DTMF: SIP INFO reaches the other page; RFC 4733 is sent in the
    // media (browsers do not report received telephone-events).
    await a.evaluate(() => globalThis.phone.session.sendDTMF('12#', { transportType: 'INFO', duration: 100, interToneGap: 70 }));
    await until(b, 'DTMF', () => globalThis.phone.dtmf.join('') === '12#' && globalThis.phone.dtmf);
    await a.evaluate(() => globalThis.phone.session.sendDTMF('9', { duration: 100 }));

    // Mute is local: no signalling, the state is reported.
    assert.deepEqual(await a.evaluate(() => { globalThis.phone.session.mute(); return globalThis.phone.session.isMuted(); }), { audio: true, video: false });
    await a.evaluate(() => globalThis.phone.session.unmute());

    await saveArtifacts(a, 'call-in-progress');

    // B hangs up: both sides end, the elements are unbound, the watcher
    // sees the callee free again.
    await b.evaluate(() => globalThis.phone.session.terminate());
    await until(a, 'ended', () => globalThis.phone.log.find((l) => l.startsWith('session ended')));
    await until(b, 'ended', () => globalThis.phone.log.find((l) => l.startsWith('session ended')));
    assert.equal(await a.evaluate(() => document.getElementById('remote').srcObject), null);
    await until(c, 'AVAILABLE again', () => {
      const s = globalThis.phone.states;
      return s.lastIndexOf('1002 AVAILABLE') > s.indexOf('1002 BUSY') && s.indexOf('1002 BUSY') > 0;
    });
    const states = await c.evaluate(() => globalThis.phone.states);
    const order = ['1002 AVAILABLE', '1002 RINGING', '1002 BUSY'].map((s) => states.indexOf(s));
    assert.ok(order[0] < order[1] && order[1] < order[2], `states in order: ${states.join(', ')}`);
  });
  for (const p of [a, b, c]) await p.evaluate(() => globalThis.phone.ua.stop());
});

test('a rejected call fails with Busy, a cancelled one with Canceled', { timeout: 120_000 }, async () => {
  const [a, b] = await Promise.all([phone('1001'), phone('1002')]);
  await withArtifacts(a, 'call-failures', async () => {
    await b.evaluate(() => {
      globalThis.phone.ua.once('newRTCSession', ({ session }) => session.terminate({ status_code: 486 }));
    });
    const busy = await a.evaluate(async () => {
      const s = await globalThis.phone.ua.dial('1002');
      return new Promise((resolve) => s.on('failed', (e) => resolve([e.cause, e.originator])));
    });
    assert.deepEqual(busy, ['Busy', 'remote']);

    const cancelled = await a.evaluate(async () => {
      const s = await globalThis.phone.ua.dial('1002');
      const failed = new Promise((resolve) => s.on('failed', (e) => resolve([e.cause, e.originator])));
      s.on('progress', () => s.terminate());
      return failed;
    });
    assert.deepEqual(cancelled, ['Canceled', 'local']);
    await until(b, 'the callee sees the cancel', () => globalThis.phone.log.includes('session failed Canceled remote'));

    const bad = await a.evaluate(() => globalThis.phone.ua.dial('100\r\nX-Evil: 1').then(() => 'resolved', (e) => e.message));
    assert.match(bad, /unsafe|invalid/i);
  });
  for (const p of [a, b]) await p.evaluate(() => globalThis.phone.ua.stop());
});

test('blind transfer: the transferee accepts the refer event and reaches the target', { timeout: 120_000 }, async () => {
  const [a, b, c] = await Promise.all([phone('1001'), phone('1002'), phone('1003')]);
  await withArtifacts(a, 'call-transfer', async () => {
    for (const p of [b, c]) {
      await p.evaluate(() => {
        globalThis.phone.ua.once('newRTCSession', ({ session }) => { session.answer(); });
      });
    }
    await a.evaluate(async () => {
      const p = globalThis.phone;
      const s = await p.ua.dial('1002');
      p.watch(s);
      s.on('refer', (e) => {
        p.log.push(`refer to ${e.target}`);
        e.accept().then((next) => { p.transferred = next; next.on('confirmed', () => p.log.push('transfer confirmed')); });
      });
    });
    await until(a, 'confirmed', () => globalThis.phone.log.find((l) => l.startsWith('session confirmed')));
    // The transferor hangs up once the transferee reports success (the
    // sipfrag NOTIFY), as JsSIP applications do.
    await b.evaluate(async () => {
      const s = globalThis.phone.session;
      s.on('referAccepted', (e) => { globalThis.phone.log.push(`referAccepted ${e.status_code}`); s.terminate(); });
      await s.refer('sip:1003@' + globalThis.phone.ua.uri.split('@')[1]);
    });
    await until(a, 'the refer event', () => globalThis.phone.log.find((l) => l.startsWith('refer to sip:1003@')));
    await until(a, 'the transferred call', () => globalThis.phone.log.includes('transfer confirmed'));
    await until(c, 'C in a call', () => globalThis.phone.log.find((l) => l.startsWith('session confirmed')));
    const st = await until(a, 'audio from C', async () => {
      const s = await globalThis.phone.transferred.getStats();
      return s.packetsReceived > 50 && s.audioLevel > 0 ? s : null;
    });
    assert.ok(st.packetsSent > 0);
    await until(b, 'B ended', () => globalThis.phone.log.find((l) => l.startsWith('session ended')));
    assert.ok(await b.evaluate(() => globalThis.phone.log.includes('referAccepted 200')));
    await a.evaluate(() => globalThis.phone.transferred.terminate());
  });
  for (const p of [a, b, c]) await p.evaluate(() => globalThis.phone.ua.stop());
});

test('a call answered from a once listener is not refused', { timeout: 120_000 }, async () => {
  const a = await phone('1001');
  const b = await openPage(browser, server.blankUrl);
  await loadModule(b);
  await withArtifacts(b, 'call-once-listener', async () => {
    // No other newRTCSession listener: the once listener is removed as it
    // runs, and the call must still be answered, not refused with 480.
    await b.evaluate(async ({ ws, domain, password }) => {
      const sc = new globalThis.wasmphone.Sipcentric({ username: 'portal', password: 'unused', baseUrl: location.origin + '/api/v1' });
      const ua = await sc.getUA({ register: true, wsServer: ws, domain, username: '1002', password });
      await new Promise((resolve) => ua.once('registered', resolve));
      globalThis.answered = new Promise((resolve, reject) => {
        ua.once('newRTCSession', ({ session }) => {
          session.on('confirmed', () => resolve('confirmed'));
          session.on('failed', (e) => reject(new Error(e.cause)));
          session.answer().catch(reject);
        });
      });
      globalThis.ua = ua;
    }, { ws: kam.ws, domain: kam.domain, password: kam.users['1002'] });
    await a.evaluate(async () => globalThis.phone.watch(await globalThis.phone.ua.dial('1002')));
    await until(a, 'confirmed', () => globalThis.phone.log.find((l) => l.startsWith('session confirmed')));
    assert.equal(await b.evaluate(() => globalThis.answered), 'confirmed');
    await a.evaluate(() => globalThis.phone.session.terminate());
    await b.evaluate(() => globalThis.ua.stop());
  });
  await a.evaluate(() => globalThis.phone.ua.stop());
});

test('a call survives a Kamailio restart: reconnect, re-register, ICE-restart re-INVITE', { timeout: 180_000 }, async () => {
  const [a, b] = await Promise.all([phone('1001'), phone('1002')]);
  await withArtifacts(a, 'call-recovery', async () => {
    await b.evaluate(() => {
      globalThis.phone.ua.once('newRTCSession', ({ session }) => { session.answer(); });
    });
    await a.evaluate(async () => globalThis.phone.watch(await globalThis.phone.ua.dial('1002')));
    await until(a, 'confirmed', () => globalThis.phone.log.find((l) => l.startsWith('session confirmed')));
    for (const p of [a, b]) {
      await p.evaluate(() => {
        const ph = globalThis.phone;
        ph.ua.on('disconnected', () => ph.log.push('disconnected'));
        ph.ua.on('registered', () => ph.log.push('registered again'));
        ph.session.on('reinvite', () => ph.log.push('reinvite'));
      });
    }
    const ufrag = () => /a=ice-ufrag:(\S+)/.exec(globalThis.phone.session.connection.remoteDescription.sdp)[1];
    const before = await b.evaluate(ufrag);
    await kam.restart();
    for (const [page, name] of [[a, 'caller'], [b, 'callee']]) {
      await until(page, `${name} reconnected and registered`, () =>
        globalThis.phone.log.includes('disconnected') && globalThis.phone.log.includes('registered again'), undefined, 60_000);
    }
    // The caller renegotiates with an ICE restart through the new
    // Kamailio; the call is still up, and audio flows both ways.
    await until(b, 'the recovery re-INVITE', () => globalThis.phone.log.includes('reinvite'), undefined, 30_000);
    assert.notEqual(await b.evaluate(ufrag), before, 'the re-INVITE restarted ICE');
    await new Promise((r) => setTimeout(r, 2000));
    for (const [page, name] of [[a, 'caller'], [b, 'callee']]) {
      assert.equal(await page.evaluate(() => globalThis.phone.session.isEstablished()), true, `${name}'s call survived`);
      const got = await inboundDelta(page, 1500);
      assert.ok(got > 40, `${name} received ${got} packets in 1.5 s after the restart`);
    }
    await a.evaluate(() => globalThis.phone.session.terminate());
    await until(b, 'ended', () => globalThis.phone.log.find((l) => l.startsWith('session ended')));
  });
  for (const p of [a, b]) await p.evaluate(() => globalThis.phone.ua.stop());
});

test('call waiting: when the second call ends, the <audio> plays the first again', { timeout: 120_000 }, async () => {
  const [a, b, c] = await Promise.all([phone('1001'), phone('1002'), phone('1003')]);
  await withArtifacts(a, 'call-waiting', async () => {
    await b.evaluate(() => { globalThis.phone.ua.once('newRTCSession', ({ session }) => { session.answer(); }); });
    await a.evaluate(async () => {
      const p = globalThis.phone;
      p.first = await p.ua.dial('1002');
      p.first.on('confirmed', () => p.log.push('first confirmed'));
    });
    await until(a, 'first call up', () => globalThis.phone.log.includes('first confirmed'));
    await until(a, 'first call audio bound', () => document.getElementById('remote').srcObject === globalThis.phone.first.remoteStream);
    await a.evaluate(() => {
      const p = globalThis.phone;
      p.ua.once('newRTCSession', ({ session }) => {
        p.second = session;
        session.on('confirmed', () => p.log.push('second confirmed'));
        session.on('ended', () => p.log.push('second ended'));
        session.answer();
      });
    });
    await c.evaluate(async () => globalThis.phone.watch(await globalThis.phone.ua.dial('1001')));
    await until(a, 'second call up', () => globalThis.phone.log.includes('second confirmed'));
    await until(a, 'second call audio bound', () => document.getElementById('remote').srcObject === globalThis.phone.second.remoteStream);
    await c.evaluate(() => globalThis.phone.session.terminate());
    await until(a, 'second ended', () => globalThis.phone.log.includes('second ended'));
    await until(a, 'the first call plays again', () => document.getElementById('remote').srcObject === globalThis.phone.first.remoteStream);
    await a.evaluate(() => globalThis.phone.first.terminate());
  });
  for (const p of [a, b, c]) await p.evaluate(() => globalThis.phone.ua.stop());
});
