// The browser end to end harness: Debian's Chromium driven by playwright-core
// (never Playwright's browser download), a static server for web/ with a
// same-origin proxy of /api/ to a PBX API, and the fake PBX
// (internal/pbxfake/cmd/pbxfake) and Kamailio (internal/kamailio/cmd/kamailio)
// as child processes. For node:test files in this directory and for
// web/bench/ready.mjs; see DESIGN.md, "Testing layers", item 4.
//
//   const browser = await launchBrowser();           // a BrowserContext
//   const fake = await startPbxfake();               // fake.url: .../api/v1
//   const server = await startServer({ api: fake.apiUpstream });
//   const page = await openPage(browser, server.blankUrl);
//   const { version } = await loadModule(page);      // globalThis.wasmphone
//   ...
//   await stopAll();                                 // in after()
//
// Chromium missing: as root the harness installs it
// (scripts/install-chromium.sh); otherwise launchBrowser throws with what to
// install. It never skips. Environment:
//
//   WASMPHONE_BROWSER_LOG=1   echo page console messages and the children's
//                             stderr to this process's stderr as they come
//   WASMPHONE_PBXFAKE_BIN     a prebuilt pbxfake to run instead of building one
//   WASMPHONE_KAMAILIO_BIN    a prebuilt cmd/kamailio, likewise
//   CI=true                   the failure messages say that CI needs root

import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync, createReadStream, statSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** web/: what the static server serves. */
export const WEB_DIR = path.join(ROOT, 'web');
/** Screenshots and page logs of the browser tests (gitignored). */
export const ARTIFACTS_DIR = path.join(WEB_DIR, 'test', 'artifacts');
/** Debian's Chromium; the only browser the tests use. */
export const CHROMIUM = '/usr/bin/chromium';
/**
 * Chromium's flags, as DESIGN.md lists them, plus what keeps WebRTC on
 * loopback inside the tests' network namespace (host candidates as plain
 * 127.0.0.1, not mDNS names; no DNS client of its own). A fresh
 * --user-data-dir is added per launch.
 */
export const CHROMIUM_FLAGS = Object.freeze([
  '--disable-features=WebRtcHideLocalIpsWithMdns,AsyncDns',
  '--headless',
  '--no-sandbox',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--autoplay-policy=no-user-gesture-required',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
]);

const echo = process.env.WASMPHONE_BROWSER_LOG === '1' || process.env.WASMPHONE_BROWSER_LOG === 'true';
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

// ---- cleanup ---------------------------------------------------------------

// Everything to undo, newest first: child processes, servers, browsers,
// temporary directories.
const cleanups = [];
// Child process groups still running, killed synchronously at exit.
const groups = new Set();

function onCleanup(fn) {
  cleanups.push(fn);
  return () => {
    const i = cleanups.indexOf(fn);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

/**
 * Stops everything the harness started, newest first: browsers, servers,
 * child processes (their process groups), temporary directories. Safe to
 * call more than once; also runs when the process exits or gets SIGINT or
 * SIGTERM.
 */
export async function stopAll() {
  const errors = [];
  while (cleanups.length > 0) {
    const fn = cleanups.pop();
    try {
      await fn();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length > 0) throw new AggregateError(errors, 'harness cleanup failed');
}

function killGroups(signal) {
  for (const pid of groups) {
    try {
      process.kill(-pid, signal);
    } catch {
      // Gone already.
    }
  }
}

process.on('exit', () => killGroups('SIGTERM'));
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    killGroups('SIGTERM');
    process.exit(128 + (sig === 'SIGINT' ? 2 : 15));
  });
}

function tempDir(prefix) {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// ---- Chromium --------------------------------------------------------------

/**
 * Makes sure /usr/bin/chromium exists: as root it runs
 * scripts/install-chromium.sh (Debian's package); otherwise it throws with
 * what to install. Never skips.
 */
export function ensureChromium() {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  const script = path.join(ROOT, 'scripts', 'install-chromium.sh');
  if (isRoot) {
    const r = spawnSync('bash', [script], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    if (r.status === 0 && existsSync(CHROMIUM)) return CHROMIUM;
    throw new Error(`browser tests: ${CHROMIUM} is missing and ${script} failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  }
  const why = process.env.CI === 'true'
    ? 'CI runs without root, so it cannot install it'
    : 'installing it needs root';
  throw new Error(`browser tests: ${CHROMIUM} is missing and ${why}: ` +
    `install Debian's Chromium with \`sudo scripts/install-chromium.sh\` (or \`sudo apt-get install chromium\`). ` +
    'Playwright\'s browser download is not used.');
}

/**
 * Launches Chromium (CHROMIUM with CHROMIUM_FLAGS, args appended) with a
 * fresh user data directory in a temporary directory, removed on close.
 * @param {{args?: string[], timeout?: number}} [options]
 * @returns {Promise<import('playwright-core').BrowserContext>} Chromium's one
 *   (persistent) context: newPage() on it, close() it (stopAll does too).
 */
export async function launchBrowser({ args = [], timeout = 60_000 } = {}) {
  const executablePath = ensureChromium();
  const userDataDir = tempDir('wasmphone-chromium-');
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: [...CHROMIUM_FLAGS, ...args],
    timeout,
  });
  // The context opens with a blank page; leave it, it costs nothing.
  onCleanup(() => context.close().catch(() => {}));
  return context;
}

// ---- pages -----------------------------------------------------------------

const logs = new WeakMap();

/**
 * Opens a new page in browser (a context from launchBrowser) and goes to
 * url (when given), collecting the page's console messages and uncaught
 * errors: see pageLog.
 * @param {import('playwright-core').BrowserContext} browser
 * @param {string} [url]
 * @param {{timeout?: number}} [options]
 * @returns {Promise<import('playwright-core').Page>}
 */
export async function openPage(browser, url, { timeout = 30_000 } = {}) {
  const page = await browser.newPage();
  const log = { console: [], errors: [], requests: [] };
  logs.set(page, log);
  page.on('console', (msg) => {
    const line = `[${msg.type()}] ${msg.text()}`;
    log.console.push(line);
    if (echo) process.stderr.write(`page: ${line}\n`);
  });
  page.on('pageerror', (err) => {
    const line = String(err?.stack ?? err);
    log.errors.push(line);
    if (echo) process.stderr.write(`page error: ${line}\n`);
  });
  page.on('request', (req) => log.requests.push(`${req.method()} ${req.url()}`));
  page.on('requestfailed', (req) => {
    const line = `request failed: ${req.method()} ${req.url()}: ${req.failure()?.errorText}`;
    log.console.push(line);
    if (echo) process.stderr.write(`page: ${line}\n`);
  });
  page.setDefaultTimeout(timeout);
  if (url) await page.goto(url, { timeout });
  return page;
}

/**
 * What a page from openPage logged so far.
 * @param {import('playwright-core').Page} page
 * @returns {{console: string[], errors: string[], requests: string[]}}
 *   console messages as "[type] text", uncaught errors, and "METHOD url" of
 *   every request the page made.
 */
export function pageLog(page) {
  return logs.get(page) ?? { console: [], errors: [], requests: [] };
}

/** pageLog as text, for assertion messages and artifacts. */
export function formatPageLog(page) {
  const { console: lines, errors } = pageLog(page);
  return `console:\n${lines.join('\n') || '(none)'}\npage errors:\n${errors.join('\n') || '(none)'}\n`;
}

/**
 * Imports /index.mjs in the page (await import('/index.mjs')), which
 * resolves once the WebAssembly module is ready, checks that Sipcentric is
 * a constructor and keeps the module as globalThis.wasmphone for later
 * page.evaluate calls.
 * @param {import('playwright-core').Page} page
 * @param {{timeout?: number}} [options]
 * @returns {Promise<{version: string, readyMs: number}>} the module's
 *   version and the milliseconds from the import's start to ready.
 */
export async function loadModule(page, { timeout = 60_000 } = {}) {
  const result = await page.evaluate(async (timeoutMs) => {
    const t0 = performance.now();
    let timer;
    const timedOut = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`/index.mjs not ready within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const mod = await Promise.race([import('/index.mjs'), timedOut]);
      const readyMs = performance.now() - t0;
      if (typeof mod.Sipcentric !== 'function') {
        throw new Error(`/index.mjs: Sipcentric is ${typeof mod.Sipcentric}, not a constructor`);
      }
      globalThis.wasmphone = mod;
      return { version: mod.version, readyMs };
    } finally {
      clearTimeout(timer);
    }
  }, timeout);
  return result;
}

/**
 * Saves a screenshot of page as ARTIFACTS_DIR/NAME.png and its log as
 * NAME.log; returns the screenshot's path. Never throws: a page that is
 * gone leaves the log only.
 * @param {import('playwright-core').Page} page
 * @param {string} name
 */
export async function saveArtifacts(page, name) {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const base = path.join(ARTIFACTS_DIR, name.replace(/[^A-Za-z0-9._-]+/g, '-'));
  writeFileSync(`${base}.log`, formatPageLog(page));
  try {
    await page.screenshot({ path: `${base}.png`, fullPage: true, timeout: 10_000 });
  } catch (err) {
    writeFileSync(`${base}.log`, `screenshot failed: ${err.message}\n`, { flag: 'a' });
  }
  return `${base}.png`;
}

/**
 * Runs fn(); when it throws, saves page's screenshot and log as artifacts
 * named name (see saveArtifacts), adds the page log to the error's message
 * and rethrows.
 * @template T
 * @param {import('playwright-core').Page} page
 * @param {string} name
 * @param {() => Promise<T>} fn
 * @returns {Promise<T>}
 */
export async function withArtifacts(page, name, fn) {
  try {
    return await fn();
  } catch (err) {
    const shot = await saveArtifacts(page, `failed-${name}`);
    if (err instanceof Error) {
      err.message += `\n(screenshot ${shot})\n${formatPageLog(page)}`;
    }
    throw err;
  }
}

// ---- the static server and its /api/ proxy ---------------------------------

const mimeTypes = {
  '.wasm': 'application/wasm',
  '.mjs': 'text/javascript; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.ts': 'text/plain; charset=utf-8',
  '.cts': 'text/plain; charset=utf-8',
  '.mts': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wav': 'audio/wav',
  '.ogg': 'audio/ogg',
  '.mp3': 'audio/mpeg',
};

/** The document at server.blankUrl: same origin as the module, nothing in it. */
const BLANK_PATH = '/_harness/blank.html';
const BLANK_HTML = '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>wasmphone browser test</title></head>' +
  '<body><h1>wasmphone browser test</h1><p id="status">blank</p></body></html>\n';

/**
 * Serves root (default web/) on http://127.0.0.1:PORT with the right MIME
 * types (application/wasm, text/javascript for .mjs/.js), and proxies
 * /api/REST to api + REST when api is given (for the fake PBX:
 * pbxfake.apiUpstream, which maps /api/v1/... to the fake's /api/v1/...),
 * streaming both ways, WebSocket upgrades included, so that pages reach the
 * PBX API on their own origin without CORS.
 * @param {{root?: string, api?: string, cache?: boolean}} [options] cache:
 *   send Cache-Control max-age=3600 instead of no-store (the benchmark's
 *   warm runs).
 * @returns {Promise<{url: string, blankUrl: string, stats: {files: number,
 *   proxied: number, bytes: Record<string, number>}, close: () => Promise<void>}>}
 *   url is the origin (no trailing slash); stats counts files served,
 *   requests proxied and bytes sent per path.
 */
export async function startServer({ root = WEB_DIR, api, cache = false } = {}) {
  const rootDir = path.resolve(root);
  const upstream = api ? new URL(api) : null;
  if (upstream && !upstream.pathname.endsWith('/')) upstream.pathname += '/';
  if (upstream && upstream.protocol !== 'http:') throw new Error(`startServer: api ${api}: only http upstreams`);
  const stats = { files: 0, proxied: 0, bytes: {} };
  const sockets = new Set();

  const upstreamPath = (reqUrl) => upstream.pathname + reqUrl.slice('/api/'.length);

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (url.pathname.startsWith('/api/')) {
      if (!upstream) {
        res.writeHead(502, { 'content-type': 'text/plain' }).end('no API upstream configured\n');
        return;
      }
      stats.proxied++;
      const headers = { ...req.headers, host: upstream.host };
      const preq = http.request({
        host: upstream.hostname,
        port: upstream.port || 80,
        method: req.method,
        path: upstreamPath(req.url),
        headers,
      }, (pres) => {
        res.writeHead(pres.statusCode ?? 502, pres.statusMessage, pres.headers);
        res.flushHeaders();
        pres.pipe(res);
      });
      preq.on('error', (err) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`proxy: ${err.message}\n`);
      });
      res.on('close', () => preq.destroy());
      req.pipe(preq);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const cacheControl = cache ? 'max-age=3600' : 'no-store';
    if (url.pathname === '/favicon.ico' && !existsSync(path.join(rootDir, 'favicon.ico'))) {
      res.writeHead(204, { 'cache-control': cacheControl }).end(); // no 404 in the page's console
      return;
    }
    if (url.pathname === BLANK_PATH || (url.pathname === '/' && !existsSync(path.join(rootDir, 'index.html')))) {
      res.writeHead(200, { 'content-type': mimeTypes['.html'], 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : BLANK_HTML);
      return;
    }
    let rel;
    try {
      rel = decodeURIComponent(url.pathname.endsWith('/') ? `${url.pathname}index.html` : url.pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    const file = path.join(rootDir, path.normalize(rel));
    if (!file.startsWith(rootDir + path.sep) || rel.includes('\0')) {
      res.writeHead(403).end();
      return;
    }
    let st;
    try {
      st = statSync(file);
    } catch {
      st = null;
    }
    if (!st || !st.isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${url.pathname}\n`);
      return;
    }
    stats.files++;
    res.writeHead(200, {
      'content-type': mimeTypes[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      'content-length': st.size,
      'cache-control': cacheControl,
      'last-modified': st.mtime.toUTCString(),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    stats.bytes[url.pathname] = (stats.bytes[url.pathname] ?? 0) + st.size;
    createReadStream(file).pipe(res);
  });

  // WebSocket (and other) upgrades under /api/: a byte pipe to the upstream.
  server.on('upgrade', (req, socket, head) => {
    if (!upstream || !req.url.startsWith('/api/')) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n');
      return;
    }
    stats.proxied++;
    const up = net.connect(Number(upstream.port || 80), upstream.hostname, () => {
      const lines = [`${req.method} ${upstreamPath(req.url)} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i];
        lines.push(`${name}: ${name.toLowerCase() === 'host' ? upstream.host : req.rawHeaders[i + 1]}`);
      }
      up.write(lines.join('\r\n') + '\r\n\r\n');
      if (head?.length) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });

  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  const origin = `http://127.0.0.1:${port}`;
  let closed;
  const close = () => {
    closed ??= new Promise((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
    return closed;
  };
  onCleanup(close);
  return { url: origin, blankUrl: origin + BLANK_PATH, stats, close };
}

// ---- child processes: pbxfake and Kamailio ---------------------------------

const built = new Map();

/**
 * Builds a Go command of this module natively (GOOS and GOARCH cleared)
 * into a temporary directory, once per process; returns its path.
 * @param {string} pkg e.g. './internal/pbxfake/cmd/pbxfake'
 */
export function goBuild(pkg) {
  let bin = built.get(pkg);
  if (bin) return bin;
  const dir = tempDir('wasmphone-bin-');
  bin = path.join(dir, path.basename(pkg));
  const env = { ...process.env, GOOS: '', GOARCH: '', CGO_ENABLED: process.env.CGO_ENABLED ?? '' };
  try {
    execFileSync('go', ['build', '-o', bin, pkg], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    throw new Error(`go build ${pkg} failed: ${err.stderr ?? err.message}`);
  }
  built.set(pkg, bin);
  return bin;
}

/**
 * Starts a long-running command in its own process group with stdin on a
 * pipe (the commands exit when it closes), and collects KEY=VALUE lines from
 * its stdout until doneKey appears.
 * @returns {Promise<{lines: Array<[string, string]>, stop: () => Promise<void>,
 *   stderr: () => string, child: import('node:child_process').ChildProcess}>}
 */
async function startChild(name, bin, args, doneKey, timeoutMs) {
  const child = spawn(bin, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s) => {
    stderr += s;
    if (echo) process.stderr.write(s.replace(/^(?=.)/gm, `${name}: `));
  });
  child.stdin.on('error', () => {});
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  if (child.pid) groups.add(child.pid);
  exited.then(() => groups.delete(child.pid));

  let stopping;
  const stop = () => {
    stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin.end();
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // Gone already.
      }
      const killed = setTimeout(() => {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // Gone already.
        }
      }, 10_000);
      await exited;
      clearTimeout(killed);
    })();
    return stopping;
  };
  onCleanup(stop);

  const lines = [];
  const rl = readline.createInterface({ input: child.stdout });
  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} printed no ${doneKey} within ${timeoutMs / 1000} s`)), timeoutMs);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`${name}: ${err.message}`));
      });
      exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited (${signal ?? code}) before printing ${doneKey}`));
      });
      rl.on('line', (line) => {
        const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
        if (!m) return;
        lines.push([m[1], m[2]]);
        if (m[1] === doneKey) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  } catch (err) {
    await stop();
    err.message += stderr ? `\n${name} stderr:\n${stderr}` : '';
    throw err;
  }
  return { lines, stop, stderr: () => stderr, child };
}

/**
 * Starts the fake PBX API (internal/pbxfake/cmd/pbxfake; built once, or
 * WASMPHONE_PBXFAKE_BIN). Its logins: alice / alice-secret (customer 1001),
 * bob, carol, reseller, nobody (password NAME-secret).
 * @returns {Promise<{url: string, origin: string, apiUpstream: string,
 *   control: string, stop: () => Promise<void>}>} url is the API base
 *   (http://127.0.0.1:PORT/api/v1), apiUpstream what startServer's api
 *   takes (http://127.0.0.1:PORT/api/), control the test hooks
 *   (http://127.0.0.1:PORT/_fake).
 */
export async function startPbxfake() {
  const bin = process.env.WASMPHONE_PBXFAKE_BIN || goBuild('./internal/pbxfake/cmd/pbxfake');
  const { lines, stop } = await startChild('pbxfake', bin, [], 'PBXFAKE_URL', 60_000);
  const url = lines.find(([k]) => k === 'PBXFAKE_URL')[1];
  const origin = new URL(url).origin;
  return { url, origin, apiUpstream: `${origin}/api/`, control: `${origin}/_fake`, stop };
}

/**
 * Starts Kamailio on loopback (internal/kamailio/cmd/kamailio; built once,
 * or WASMPHONE_KAMAILIO_BIN), installing it first as root when missing.
 * @param {{users?: Record<string, string>, count?: number, domain?: string,
 *   minExpires?: number, debug?: number}} [options] users maps names to
 *   passwords; count adds subscribers 1001, 1002, ... with passwords
 *   1001-secret, ...; neither: alice / alice-secret, bob, carol.
 * @returns {Promise<{ws: string, domain: string, sip: string, ctl: string,
 *   users: Record<string, string>, log: () => string, stop: () => Promise<void>,
 *   restart: () => Promise<void>}>}
 *   ws is ws://127.0.0.1:PORT (subprotocol "sip"); users register
 *   sip:NAME@domain (the digest realm too); ctl is the ctl socket for
 *   kamcmd -s unix:CTL; log is Kamailio's log, complete after stop.
 */
export async function startKamailio({ users, count, domain, minExpires, debug } = {}) {
  const bin = process.env.WASMPHONE_KAMAILIO_BIN || goBuild('./internal/kamailio/cmd/kamailio');
  const args = ['-log'];
  for (const [name, pw] of Object.entries(users ?? {})) args.push('-user', `${name}:${pw}`);
  if (count) args.push('-users', String(count));
  if (domain) args.push('-domain', domain);
  if (minExpires) args.push('-min-expires', String(minExpires));
  if (debug) args.push('-debug', String(debug));
  // Installing Kamailio may come first.
  const { lines, stop, stderr, child } = await startChild('kamailio', bin, args, 'KAMAILIO_WS', 10 * 60_000);
  const get = (key) => lines.find(([k]) => k === key)?.[1];
  const all = {};
  for (const [k, v] of lines) {
    if (k !== 'KAMAILIO_USER') continue;
    const i = v.indexOf(':');
    all[v.slice(0, i)] = v.slice(i + 1);
  }
  return {
    ws: get('KAMAILIO_WS'),
    domain: get('KAMAILIO_DOMAIN'),
    sip: get('KAMAILIO_SIP'),
    ctl: get('KAMAILIO_CTL'),
    users: all,
    log: stderr,
    stop,
    // Restarts Kamailio on the same ports: every client loses its
    // WebSocket and Kamailio its registrations (a server failure).
    async restart() {
      const before = lines.filter(([k]) => k === 'KAMAILIO_RESTARTED').length;
      child.kill('SIGUSR1');
      const deadline = Date.now() + 60_000;
      while (lines.filter(([k]) => k === 'KAMAILIO_RESTARTED').length === before) {
        if (Date.now() > deadline) throw new Error(`Kamailio did not restart\n${stderr()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

/**
 * Starts the development PBX (cmd/devpbx; built once, or
 * WASMPHONE_DEVPBX_BIN) in memory on 127.0.0.1, serving web/ itself: pages
 * load from its origin, the REST API is at /api/v1 and SIP at /ws. Its
 * logins: alice / alice-secret (extension 2001), bob (2002), carol (2003),
 * password NAME-secret; echo test *52.
 * @param {{heartbeat?: string}} [options]
 * @returns {Promise<{url: string, api: string, ws: string, blankUrl: string,
 *   stop: () => Promise<void>, log: () => string}>}
 */
export async function startDevPBX({ heartbeat } = {}) {
  const bin = process.env.WASMPHONE_DEVPBX_BIN || goBuild('./cmd/devpbx');
  const args = ['-memory', '-addr', '127.0.0.1:0', '-web', WEB_DIR];
  if (heartbeat) args.push('-heartbeat', heartbeat);
  const { lines, stop, stderr } = await startChild('devpbx', bin, args, 'DEVPBX_URL', 120_000);
  const url = lines.find(([k]) => k === 'DEVPBX_URL')[1];
  const u = new URL(url);
  return {
    url,
    api: `${url}/api/v1`,
    ws: `ws://${u.host}/ws`,
    blankUrl: `${url}/test/browser/blank.html`,
    stop,
    log: stderr,
  };
}
