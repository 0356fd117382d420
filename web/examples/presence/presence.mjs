#!/usr/bin/env node
// The presence example: a terminal view of every phone extension of a
// customer, busy or free, as the wasmphone library sees it over SIP.
//
// It logs in to the REST API, lists the customer's phones (every page),
// reads each phone's SIP username, subscribes to its dialog state with
// ua.subscribeToUser() and redraws one line per extension every 500 ms:
//
//   ● 201 - Alice Smith
//
// the dot green for AVAILABLE, red for BUSY, flashing for RINGING and grey
// otherwise. Without a terminal (or with NO_COLOR set) there are no colours
// and each line ends with its state in words, and the table is printed
// again only when it changes. Ctrl-C ends the subscriptions, stops the
// phone and exits.
//
//   SIPCENTRIC_USERNAME=alice SIPCENTRIC_PASSWORD=... node web/examples/presence/presence.mjs
//
// Run with --help for every option.

import { parseArgs } from 'node:util';

import { Sipcentric } from '../../index.mjs';

const HELP = `Usage: node web/examples/presence/presence.mjs [options]

Shows whether each phone extension of a customer is free, ringing or busy.

Options (each also an environment variable):
  --username NAME        portal username                   SIPCENTRIC_USERNAME
  --password PASSWORD    portal password                   SIPCENTRIC_PASSWORD
  --base-url URL         REST API base URL                 SIPCENTRIC_BASE_URL
                         (default https://pbx.sipcentric.com/api/v1)
  --ws-server URL        SIP WebSocket URL                 SIPCENTRIC_WS_SERVER
                         (default wss://sipws.sipcentric.com)
  --domain DOMAIN        SIP domain                        SIPCENTRIC_DOMAIN
                         (default: the one of your phone's SIP account)
  --customer-id ID       customer to show                  SIPCENTRIC_CUSTOMER_ID
                         (default: your first customer)
  --extension-id ID      phone whose SIP account watches   SIPCENTRIC_EXTENSION_ID
                         (default: your default extension)
  --sip-username NAME    SIP account that watches, instead SIPCENTRIC_SIP_USERNAME
  --sip-password PASS    of your phone's                   SIPCENTRIC_SIP_PASSWORD
  --page-size N          phones fetched per request (100)  SIPCENTRIC_PAGE_SIZE
  --once                 print the table once every state  SIPCENTRIC_ONCE=1
                         is known, then exit
  --timeout SECONDS      with --once: give up after (20)   SIPCENTRIC_TIMEOUT
  -h, --help             this text

Passwords are best given in the environment, not on the command line.
Colours follow the terminal, NO_COLOR and FORCE_COLOR.`;

// ---- options ------------------------------------------------------------------

function readOptions(argv, env) {
  const { values } = parseArgs({
    args: argv,
    options: {
      username: { type: 'string' },
      password: { type: 'string' },
      'base-url': { type: 'string' },
      'ws-server': { type: 'string' },
      domain: { type: 'string' },
      'customer-id': { type: 'string' },
      'extension-id': { type: 'string' },
      'sip-username': { type: 'string' },
      'sip-password': { type: 'string' },
      'page-size': { type: 'string' },
      once: { type: 'boolean' },
      timeout: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  const pick = (flag, name) => values[flag] ?? (env[name] || undefined);
  const truthy = (v) => v !== undefined && !['', '0', 'false', 'no'].includes(v.toLowerCase());
  const number = (flag, name, fallback, min, max) => {
    const raw = pick(flag, name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${flag} must be a number from ${min} to ${max}, not ${raw}`);
    return n;
  };
  return {
    help: values.help === true,
    username: pick('username', 'SIPCENTRIC_USERNAME'),
    password: pick('password', 'SIPCENTRIC_PASSWORD'),
    baseUrl: pick('base-url', 'SIPCENTRIC_BASE_URL'),
    wsServer: pick('ws-server', 'SIPCENTRIC_WS_SERVER'),
    domain: pick('domain', 'SIPCENTRIC_DOMAIN'),
    customerId: pick('customer-id', 'SIPCENTRIC_CUSTOMER_ID'),
    extensionId: pick('extension-id', 'SIPCENTRIC_EXTENSION_ID'),
    sipUsername: pick('sip-username', 'SIPCENTRIC_SIP_USERNAME'),
    sipPassword: pick('sip-password', 'SIPCENTRIC_SIP_PASSWORD'),
    pageSize: Math.trunc(number('page-size', 'SIPCENTRIC_PAGE_SIZE', 100, 1, 200)),
    once: values.once === true || truthy(env.SIPCENTRIC_ONCE),
    timeoutMs: number('timeout', 'SIPCENTRIC_TIMEOUT', 20, 1, 3600) * 1000,
  };
}

// useColour follows FORCE_COLOR, then NO_COLOR, then whether stdout is a
// colour terminal.
function useColour(stream, env) {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return !['0', 'false'].includes(force);
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true && (typeof stream.hasColors !== 'function' || stream.hasColors());
}

// ---- drawing --------------------------------------------------------------------

const ESC = '\x1b[';
const COLOURS = { AVAILABLE: `${ESC}32m`, BUSY: `${ESC}31m`, RINGING: `${ESC}33m`, OTHER: `${ESC}90m` };
const RESET = `${ESC}0m`;
const DOT = '●';

// line is one extension: "● 201 - Alice Smith". tick counts redraws, so
// that a ringing phone's dot flashes; width, when given, cuts the name so
// that the line fits the terminal (a wrapped line would spoil the redraw).
function line(ext, colour, tick, width = Infinity) {
  const state = ext.state ?? 'UNKNOWN';
  let text = `${ext.shortNumber} - ${ext.name}`;
  if (text.length > width - 2) text = `${text.slice(0, Math.max(0, width - 3))}…`;
  if (!colour) return `${DOT} ${text} (${state}${ext.note ? `: ${ext.note}` : ''})`;
  let dot;
  if (state === 'RINGING') dot = tick % 2 === 0 ? `${COLOURS.RINGING}${DOT}${RESET}` : ' ';
  else dot = `${COLOURS[state] ?? COLOURS.OTHER}${DOT}${RESET}`;
  const note = ext.note && text.length + ext.note.length + 5 <= width ? ` ${COLOURS.OTHER}(${ext.note})${RESET}` : '';
  return `${dot} ${text}${note}`;
}

// ---- the program ----------------------------------------------------------------

async function main() {
  let opts;
  try {
    opts = readOptions(process.argv.slice(2), process.env);
  } catch (err) {
    process.stderr.write(`presence: ${err.message}\n\n${HELP}\n`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const sipGiven = opts.sipUsername !== undefined && opts.sipPassword !== undefined;
  if (opts.username === undefined || opts.password === undefined) {
    process.stderr.write('presence: the portal username and password are needed (SIPCENTRIC_USERNAME and SIPCENTRIC_PASSWORD, or --username and --password)\n');
    return 2;
  }
  const out = process.stdout;
  const colour = useColour(out, process.env);
  const tty = out.isTTY === true;
  const status = (text) => process.stderr.write(`presence: ${text}\n`);

  const sipcentric = new Sipcentric({ username: opts.username, password: opts.password, baseUrl: opts.baseUrl });

  // The customer, then every phone of it, then each phone's SIP username.
  let customer;
  if (opts.customerId !== undefined) {
    customer = await sipcentric.customers.get(opts.customerId);
  } else {
    const first = await sipcentric.customers.get({ pageSize: 1 });
    customer = first.items[0];
    if (!customer) throw new Error('this user does not have access to any customers');
  }
  const extensions = [];
  const phones = await customer.phones.get({ pageSize: opts.pageSize });
  for await (const phone of phones) {
    extensions.push({ phone, id: phone.id, shortNumber: phone.shortNumber ?? '?', name: phone.name ?? '', sip: null, state: null, note: '' });
  }
  extensions.sort((a, b) => String(a.shortNumber).localeCompare(String(b.shortNumber), 'en', { numeric: true }));
  await Promise.all(extensions.map(async (ext) => {
    try {
      const sip = await ext.phone.sip.get();
      ext.sip = sip.username || null;
    } catch (err) {
      ext.note = `no SIP account: ${err.message}`;
    }
    if (!ext.sip) {
      ext.state = 'UNKNOWN';
      ext.note ||= 'no SIP account';
    }
  }));
  const byUser = new Map(extensions.filter((e) => e.sip).map((e) => [e.sip, e]));
  if (extensions.length === 0) status(`customer ${customer.id} has no phones`);

  // The phone that watches: the given SIP account, or the user's own.
  const config = { wsServer: opts.wsServer, customerId: customer.id };
  if (opts.extensionId !== undefined) config.extensionId = opts.extensionId;
  if (opts.domain !== undefined) config.domain = opts.domain;
  if (sipGiven) Object.assign(config, { username: opts.sipUsername, password: opts.sipPassword });
  const ua = await sipcentric.getUA(config);

  let changed = true;
  ua.on('userStateChanged', (user, state) => {
    const ext = byUser.get(user);
    if (!ext || ext.state === state) return;
    ext.state = state;
    changed = true;
  });
  let connectedOnce = false;
  const connected = new Promise((resolve) => ua.on('connected', () => {
    if (connectedOnce) status('connected again');
    connectedOnce = true;
    resolve();
  }));
  ua.on('disconnected', (e) => status(`lost the connection to the SIP server${e?.reason ? `: ${e.reason}` : ''}, reconnecting`));

  // Stopping: unsubscribe, stop the phone, exit. Bounded, so a server that
  // does not answer cannot keep the terminal.
  let stopping;
  let timer;
  const stop = (code) => {
    stopping ??= (async () => {
      clearInterval(timer);
      const bounded = (p) => Promise.race([p.catch(() => {}), new Promise((r) => setTimeout(r, 5000))]);
      await bounded(ua.clearSubscriptions());
      await bounded(ua.stop());
      if (tty && !opts.once) out.write(`${ESC}?25h`);
      return code;
    })();
    return stopping;
  };
  process.once('SIGINT', () => stop(0).then((code) => process.exit(code)));
  process.once('SIGTERM', () => stop(0).then((code) => process.exit(code)));

  await Promise.race([
    connected,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`no connection to ${opts.wsServer ?? 'the SIP server'} within 15 s`)), 15_000)),
  ]).catch(async (err) => {
    await stop(1);
    throw err;
  });
  for (const user of byUser.keys()) {
    ua.subscribeToUser(user).catch((err) => {
      const ext = byUser.get(user);
      ext.state = 'UNKNOWN';
      ext.note = `cannot subscribe: ${err.message}`;
      changed = true;
    });
  }

  const allKnown = () => extensions.every((e) => e.state !== null);

  if (opts.once) {
    const deadline = Date.now() + opts.timeoutMs;
    while (!allKnown() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const complete = allKnown();
    out.write(`${extensions.map((e) => line(e, colour, 0)).join('\n')}\n`);
    if (!complete) status(`not every state was known within ${opts.timeoutMs / 1000} s`);
    return stop(complete ? 0 : 1);
  }

  // Every 500 ms: on a terminal, redraw the table in place (a ringing
  // phone's dot flashes); otherwise print it again when it changed.
  let tick = 0;
  let drawn = 0;
  if (tty) out.write(`${ESC}?25l`); // hide the cursor while redrawing
  const draw = () => {
    if (tty) {
      const lines = extensions.map((e) => line(e, colour, tick, out.columns || Infinity));
      out.write((drawn > 0 ? `${ESC}${drawn}F` : '') + lines.map((l) => `${ESC}2K${l}\n`).join(''));
      drawn = lines.length;
    } else if (changed) {
      out.write(`${extensions.map((e) => line(e, colour, tick)).join('\n')}\n\n`);
    }
    changed = false;
    tick++;
  };
  draw();
  timer = setInterval(draw, 500);
  return new Promise(() => {}); // until Ctrl-C
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`presence: ${err?.message ?? err}${err?.statusCode ? ` (HTTP ${err.statusCode})` : ''}\n`);
    process.exit(1);
  },
);
