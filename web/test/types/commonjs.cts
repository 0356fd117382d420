// The CommonJS flavour: require() gives load(); the API is one await away.
// Type-checked by `make typecheck`; never run.

import wasmphone = require('wasmphone');
import type { Api, Customer } from 'wasmphone';

async function main(): Promise<void> {
  const api: Api = await wasmphone.load();
  console.log(api.version);
  const sipcentric = new api.Sipcentric({ username: 'u', password: 'p' });
  const me: Customer = await sipcentric.customers.get('me');
  console.log(me.email);
  // @ts-expect-error: the CommonJS entry point exports load(), not the API itself
  wasmphone.version;
}

main();
