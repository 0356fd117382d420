// The wasmphone package for ES modules: top-level await loads the module, so
// what this file exports is ready to use.
import { load } from './loader.mjs';

const api = await load();

/** The library's version. */
export const version = api.version;

/**
 * The REST client: new Sipcentric({username, password, partnerId?, baseUrl?,
 * token?, timeout?}), as in @sipcentric/pbx-client.
 */
export const Sipcentric = api.Sipcentric;

export { load };
export default api;
