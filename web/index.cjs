// The wasmphone package for CommonJS: require() cannot wait, so loading is
// one await away:
//
//   const wasmphone = await require('wasmphone').load();
'use strict';

/** Loads and starts the module; resolves to its API object. */
exports.load = (options) => import('./loader.mjs').then((m) => m.load(options));
