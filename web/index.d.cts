// Type declarations of the wasmphone package for CommonJS (index.cjs):
// require() cannot wait for the module to start, so loading is one await
// away:
//
//   const wasmphone = await require('wasmphone').load();
//   const sipcentric = new wasmphone.Sipcentric({ username, password });
//
// The types are those of the ES module flavour (index.d.ts).

import type { Api, LoadOptions } from './index.js';

export type * from './index.js';

/** Loads and starts the module; resolves to its API object. */
export declare function load(options?: LoadOptions): Promise<Api>;
