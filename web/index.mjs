// The wasmphone package for ES modules: top-level await loads the module, so
// what this file exports is ready to use.
import { load } from './loader.mjs';

const api = await load();

/** The library's version. */
export const version = api.version;

export { load };
export default api;
