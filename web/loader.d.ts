// Type declarations of wasmphone/loader (loader.mjs).

import type { Api, LoadOptions } from './index.js';

/** Loads and starts the module; resolves to its API object. */
export declare function load(options?: LoadOptions): Promise<Api>;
