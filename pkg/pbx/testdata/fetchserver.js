// Test fixture for transport_js_test.go: an HTTP server that the Go test,
// compiled to WebAssembly and run by Node.js, cannot start itself (Go cannot
// listen under js/wasm). The test loads this file with require() and calls
// start(), which resolves to an object with the port and helpers:
//
//   port             the TCP port on 127.0.0.1
//   close()          closes every connection and the server; resolves when done
//   release(id)      lets the gated stream `id` write its next chunk
//   written(id)      how many chunks the stream `id` has written
//   closed(id)       resolves when the server sees the response `id` go away
//
// Routes:
//   /echo               200, JSON {method, url, headers, body (base64), length}
//   /status/<code>      that status, header X-Multi: a, b, JSON error body
//                       (no body for 204 and 304)
//   /empty              200 without a body (Content-Length: 0)
//   /stream?n=3&gap=50  n JSON lines, gap ms apart, then the end
//   /stream?gate=<id>   JSON lines, the next one only after release(id)
//                       (n lines, 3 by default)
//   /forever?id=<id>    one JSON line, then nothing, never ends
//   /slow?id=<id>       never answers
//   /close              destroys the socket without answering
//   /truncate           promises 1000 bytes, sends 6, destroys the socket
//   /redirect?to=<url>  302 to url
'use strict';

const http = require('http');

function start() {
  const records = new Map();
  const timers = new Set();

  // record returns the state of the request id, creating it on first use so
  // that the test may ask before the request arrives.
  function record(id) {
    let r = records.get(id);
    if (!r) {
      r = { written: 0, releases: 0, wake: null };
      r.closed = new Promise((resolve) => { r.markClosed = resolve; });
      records.set(id, r);
    }
    return r;
  }

  function track(id, res) {
    const r = record(id);
    res.on('close', () => r.markClosed(true));
    return r;
  }

  function line(n, last) {
    return JSON.stringify({ n, last, at: Date.now() }) + '\n';
  }

  const server = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://127.0.0.1');
    const path = u.pathname;
    const q = u.searchParams;

    if (path === '/echo') {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({
          method: req.method,
          url: req.url,
          headers: req.headers,
          body: body.toString('base64'),
          length: body.length,
        }));
      });
      return;
    }

    let m = /^\/status\/(\d{3})$/.exec(path);
    if (m) {
      const code = Number(m[1]);
      res.statusCode = code;
      res.setHeader('X-Multi', ['a', 'b']);
      if (code === 204 || code === 304) {
        res.end();
        return;
      }
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ type: 'error', code, message: http.STATUS_CODES[code] || 'status' }));
      return;
    }

    if (path === '/empty') {
      res.setHeader('Content-Length', '0');
      res.end();
      return;
    }

    if (path === '/stream') {
      const n = Number(q.get('n') || 3);
      const gap = Number(q.get('gap') || 50);
      const gate = q.get('gate');
      const r = track(gate || 'stream', res);
      res.setHeader('Content-Type', 'application/x-ndjson');
      let i = 0;
      const next = () => {
        if (res.destroyed) return;
        i++;
        r.written = i;
        res.write(line(i, i === n));
        if (i === n) {
          res.end();
        } else if (gate) {
          if (r.releases >= i) {
            next();
          } else {
            r.wake = () => { r.wake = null; next(); };
          }
        } else {
          const t = setTimeout(() => { timers.delete(t); next(); }, gap);
          timers.add(t);
        }
      };
      next();
      return;
    }

    if (path === '/forever') {
      const r = track(q.get('id') || 'forever', res);
      res.setHeader('Content-Type', 'application/x-ndjson');
      r.written = 1;
      res.write(line(1, false));
      return; // never ends
    }

    if (path === '/slow') {
      track(q.get('id') || 'slow', res);
      return; // never answers
    }

    if (path === '/close') {
      req.socket.destroy();
      return;
    }

    if (path === '/truncate') {
      res.setHeader('Content-Length', '1000');
      res.write('first\n', () => req.socket.destroy());
      return;
    }

    if (path === '/redirect') {
      res.statusCode = 302;
      res.setHeader('Location', q.get('to') || '/echo');
      res.end();
      return;
    }

    res.statusCode = 404;
    res.end('no such route\n');
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: server.address().port,
        close() {
          for (const t of timers) clearTimeout(t);
          timers.clear();
          server.closeAllConnections();
          return new Promise((done) => server.close(() => done()));
        },
        release(id) {
          const r = record(id);
          r.releases++;
          if (r.wake) r.wake();
        },
        written(id) {
          return record(id).written;
        },
        closed(id) {
          return record(id).closed;
        },
      });
    });
  });
}

module.exports = { start };
