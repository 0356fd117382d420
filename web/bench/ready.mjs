// Time to ready in Chromium: how long a page takes from the start of
// `await import('/index.mjs')` until the module's Sipcentric is usable
// (fetching wasmphone.wasm and wasm_exec.js, compiling, starting the Go
// runtime and its ready handshake), measured with performance.now() in the
// page. Debian's Chromium with the flags of the browser tests
// (web/test/browser/harness.mjs).
//
//   node bench/ready.mjs [-n RUNS]        (from web/; `make bench-browser`)
//
// Three cases, RUNS measured loads each (default 10, or BENCH_N):
//
//   cold-browser  a fresh Chromium (new user data directory) per load: no
//                 HTTP cache, no compiled code kept by the browser
//   new-page      one Chromium, a fresh page per load, the server forbidding
//                 caching (Cache-Control: no-store): the module is fetched
//                 and compiled again, in a browser that is already running
//   warm-cache    one Chromium, a fresh page per load, cacheable files,
//                 after one load to fill the cache: the module and its
//                 compiled code come from the browser's caches
//
// Output, one Go-benchmark-style line per case (benchstat reads them):
//
//   BenchmarkBrowserReady/CASE  RUNS  MEAN ns/op  MEDIAN median-ms  P90 p90-ms
//       MS fetch-ms  BYTES wasm-bytes  BYTES wasm-transfer-bytes
//
// fetch-ms is the median Resource Timing duration of wasmphone.wasm;
// wasm-transfer-bytes what the page received for it (0 from the cache).

import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';

import {
  launchBrowser, startServer, openPage, loadModule, stopAll, CHROMIUM, WEB_DIR,
} from '../test/browser/harness.mjs';

function parseRuns() {
  const i = process.argv.indexOf('-n');
  const raw = i >= 0 ? process.argv[i + 1] : process.env.BENCH_N ?? '10';
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`usage: node bench/ready.mjs [-n RUNS]: bad RUNS ${raw}`);
    process.exit(2);
  }
  return n;
}

function quantile(sorted, q) {
  // Nearest rank.
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

// measure loads the module in a fresh page of browser and returns the
// page's numbers.
async function measure(browser, server) {
  const page = await openPage(browser, server.blankUrl);
  try {
    const { readyMs } = await loadModule(page);
    const wasm = await page.evaluate(() => {
      const e = performance.getEntriesByType('resource').find((r) => r.name.endsWith('/wasmphone.wasm'));
      return e ? { fetchMs: e.duration, transfer: e.transferSize, body: e.decodedBodySize } : null;
    });
    if (!wasm) throw new Error('no Resource Timing entry for /wasmphone.wasm');
    return { readyMs, ...wasm };
  } finally {
    await page.close();
  }
}

function report(name, samples) {
  const ready = samples.map((s) => s.readyMs).sort((a, b) => a - b);
  const mean = ready.reduce((a, b) => a + b, 0) / ready.length;
  const fields = [
    `BenchmarkBrowserReady/${name}`.padEnd(40),
    String(samples.length).padStart(6),
    `${Math.round(mean * 1e6)} ns/op`.padStart(18),
    `${median(ready).toFixed(1)} median-ms`,
    `${quantile(ready, 0.9).toFixed(1)} p90-ms`,
    `${median(samples.map((s) => s.fetchMs)).toFixed(1)} fetch-ms`,
    `${median(samples.map((s) => s.body))} wasm-bytes`,
    `${median(samples.map((s) => s.transfer))} wasm-transfer-bytes`,
  ];
  console.log(fields.join('\t'));
}

async function main() {
  const runs = parseRuns();
  const wasmPath = path.join(WEB_DIR, 'wasmphone.wasm');
  try {
    statSync(wasmPath);
  } catch {
    console.error(`${wasmPath} is missing: run make build first`);
    process.exit(1);
  }
  let version = '';
  try {
    version = execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // launchBrowser below says what is missing.
  }

  if (version) console.log(`browser: ${version}`);
  console.log(`module: ${path.relative(process.cwd(), wasmPath)} ${statSync(wasmPath).size} bytes`);
  console.log(`runs: ${runs} per case`);

  const noStore = await startServer();
  const cached = await startServer({ cache: true });

  // cold-browser: a fresh Chromium per load.
  const cold = [];
  for (let i = 0; i < runs; i++) {
    const browser = await launchBrowser();
    cold.push(await measure(browser, noStore));
    await browser.close();
  }

  const browser = await launchBrowser();
  await measure(browser, noStore); // one load so that the browser is up to speed
  const fresh = [];
  for (let i = 0; i < runs; i++) fresh.push(await measure(browser, noStore));

  await measure(browser, cached); // fills the cache
  const warm = [];
  for (let i = 0; i < runs; i++) warm.push(await measure(browser, cached));

  report('cold-browser', cold);
  report('new-page', fresh);
  report('warm-cache', warm);
}

try {
  await main();
} catch (err) {
  console.error(`bench/ready.mjs: ${err?.stack ?? err}`);
  process.exitCode = 1;
} finally {
  await stopAll().catch((err) => {
    console.error(`bench/ready.mjs: cleanup: ${err}`);
    process.exitCode = 1;
  });
}
