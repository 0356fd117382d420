// A phone in a test page: installPhone loads nothing itself (call
// loadModule first); it makes a UA with getUA, records its events and
// session events in globalThis.phone, and waits for registration.

/**
 * @param {import('playwright-core').Page} page
 * @param {{sipcentric: object, ua: object}} config the Sipcentric options
 *   and the getUA config ('{origin}' in string values is replaced by the
 *   page's origin, '{host}' by its host); audio.remote is an <audio
 *   id="remote"> the helper adds.
 */
export async function installPhone(page, config) {
  await page.evaluate(async (config) => {
    const fill = (o) => JSON.parse(JSON.stringify(o)
      .replaceAll('{origin}', location.origin).replaceAll('{host}', location.host));
    const audio = document.createElement('audio');
    audio.id = 'remote';
    document.body.append(audio);
    const log = [];
    const sc = new globalThis.wasmphone.Sipcentric(fill(config.sipcentric));
    const ua = await sc.getUA({ ...fill(config.ua), audio: { remote: audio }, debug: !!globalThis.WASMPHONE_DEBUG });
    const phone = { sc, ua, log, session: null, states: [], dtmf: [] };
    globalThis.phone = phone;
    phone.watch = (s) => {
      phone.session = s;
      for (const name of ['progress', 'accepted', 'confirmed', 'ended', 'failed', 'hold', 'unhold']) {
        s.on(name, (e) => log.push(`session ${name}${e?.cause ? ' ' + e.cause : ''}${e?.originator ? ' ' + e.originator : ''}`));
      }
      s.on('newDTMF', (e) => phone.dtmf.push(e.dtmf.tone));
    };
    ua.on('newRTCSession', ({ originator, session }) => {
      log.push(`newRTCSession ${originator}`);
      if (originator === 'remote') phone.watch(session);
    });
    ua.on('userStateChanged', (u, state) => phone.states.push(`${u} ${state}`));
    phone.stats = async () => (phone.session ? phone.session.getStats() : null);
    await new Promise((resolve, reject) => {
      if (ua.isRegistered()) return resolve();
      const t = setTimeout(() => reject(new Error('not registered within 10 s')), 10_000);
      ua.once('registered', () => { clearTimeout(t); resolve(); });
      ua.once('registrationFailed', (e) => { clearTimeout(t); reject(new Error(`registration failed: ${e.cause}`)); });
    });
  }, config);
}

/** Polls fn in the page until it returns a truthy value, which it returns. */
export async function until(page, what, fn, arg, ms = 15_000) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    last = await page.evaluate(fn, arg);
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The packets the page's current call received in the next ms. */
export async function inboundDelta(page, ms) {
  const stats = () => globalThis.phone.stats();
  const a = await page.evaluate(stats);
  await new Promise((r) => setTimeout(r, ms));
  const b = await page.evaluate(stats);
  return b.packetsReceived - a.packetsReceived;
}
