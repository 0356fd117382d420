// The wasmphone package for CommonJS: require() cannot wait, so loading is
// one await away:
//
//   const { Sipcentric } = await require('wasmphone').load();
'use strict';

/**
 * Loads and starts the module; resolves to its API object, which has
 * version and the Sipcentric constructor.
 */
exports.load = (options) => import('./loader.mjs').then((m) => m.load(options));
