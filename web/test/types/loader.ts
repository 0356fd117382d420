// The loader entry point. Type-checked by `make typecheck`; never run.

import { load } from 'wasmphone/loader';

const api = await load({ wasmURL: new URL('./wasmphone.wasm', 'https://example.com/'), timeoutMs: 5000 });
const sipcentric = new api.Sipcentric({ username: 'u', password: 'p' });
console.log(api.version, sipcentric.rateLimit.remaining);

// @ts-expect-error: timeoutMs is a number
await load({ timeoutMs: '5s' });

export {};
