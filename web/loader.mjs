// Loader of the wasmphone WebAssembly module, for browsers and Node.js.
//
// load() finds wasmphone.wasm and the Go runtime glue (wasm_exec.js) beside
// this file, starts the module and resolves to the object the module hands
// over in its ready handshake (see cmd/wasm/main.go). It fails with a clear
// message when the runtime lacks what the module needs.

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

let runtimeLoaded;

// loadGoRuntime evaluates wasm_exec.js once; it defines globalThis.Go.
function loadGoRuntime() {
  if (typeof globalThis.Go === 'function') return Promise.resolve();
  runtimeLoaded ??= import(new URL('./wasm_exec.js', import.meta.url).href).then(() => {
    if (typeof globalThis.Go !== 'function') {
      throw new Error('wasmphone: wasm_exec.js did not define Go (is it the Go toolchain\'s copy?)');
    }
  }).catch((err) => {
    runtimeLoaded = undefined; // a later load() tries again
    throw err;
  });
  return runtimeLoaded;
}

function checkRuntime() {
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.instantiate !== 'function') {
    throw new Error('wasmphone: this JavaScript runtime has no WebAssembly');
  }
  if (isNode) {
    const major = Number(process.versions.node.split('.')[0]);
    if (major < 20) {
      throw new Error(`wasmphone: Node.js 20 or newer is needed (this is ${process.version})`);
    }
  } else if (typeof fetch !== 'function') {
    throw new Error('wasmphone: this browser has no fetch');
  }
}

async function instantiate(go, url) {
  if (isNode) {
    const { readFile } = await import('node:fs/promises');
    const { fileURLToPath } = await import('node:url');
    let bytes;
    try {
      bytes = await readFile(url.protocol === 'file:' ? fileURLToPath(url) : url);
    } catch (err) {
      throw new Error(`wasmphone: cannot read ${url.href}: ${err.message}`);
    }
    return (await WebAssembly.instantiate(bytes, go.importObject)).instance;
  }
  const response = fetch(url);
  if (typeof WebAssembly.instantiateStreaming === 'function') {
    try {
      return (await WebAssembly.instantiateStreaming(response, go.importObject)).instance;
    } catch (err) {
      // A server that sends the module without application/wasm: fall
      // back to compiling the bytes.
      if (!(err instanceof TypeError)) throw err;
    }
  }
  const res = await response;
  if (!res.ok) throw new Error(`wasmphone: cannot fetch ${url.href}: HTTP ${res.status}`);
  return (await WebAssembly.instantiate(await res.arrayBuffer(), go.importObject)).instance;
}

// provideWebSocket gives Node.js versions without a global WebSocket
// (before 22) the one from the ws package, so the phone can connect: the
// module looks for globalThis.WebSocket, as in a browser. An existing
// WebSocket is never replaced.
async function provideWebSocket() {
  if (!isNode || typeof globalThis.WebSocket === 'function') return;
  try {
    const { WebSocket } = await import('ws');
    globalThis.WebSocket ??= WebSocket;
  } catch {
    // Without ws the REST API and the stream still work; the phone
    // reports that there is no WebSocket when it tries to connect.
  }
}

let serial = 0;

/**
 * Loads and starts the module.
 * @param {{wasmURL?: string|URL, timeoutMs?: number}} [options]
 * @returns {Promise<object>} the module's API object
 */
export async function load({ wasmURL, timeoutMs = 60_000 } = {}) {
  checkRuntime();
  await Promise.all([loadGoRuntime(), provideWebSocket()]);
  const url = new URL(wasmURL ?? './wasmphone.wasm', import.meta.url);
  const go = new globalThis.Go();
  const name = `__wasmphoneReady_${Date.now().toString(36)}_${serial++}`;
  let timer;
  const ready = new Promise((resolve) => { globalThis[name] = resolve; });
  go.env = { WASMPHONE_READY: name };
  try {
    const instance = await instantiate(go, url);
    let isReady = false;
    const exited = go.run(instance).then(() => {
      if (isReady) {
        // After it was ready: a Go panic ended it. Report it once, here,
        // rather than as an unhandled rejection.
        console.error('wasmphone: the module exited; reload to use it again');
        return new Promise(() => {});
      }
      throw new Error('wasmphone: the module exited before it was ready');
    });
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`wasmphone: the module was not ready within ${timeoutMs} ms`)), timeoutMs);
    });
    const api = await Promise.race([ready, exited, timeout]);
    isReady = true;
    return api;
  } finally {
    clearTimeout(timer);
    delete globalThis[name];
  }
}
