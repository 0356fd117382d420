// The PBX event stream. Type-checked by `make typecheck`; never run.

import { Sipcentric } from 'wasmphone';
import type { StreamEvent } from 'wasmphone';

const sipcentric = new Sipcentric({ username: 'u', password: 'p' });

const stop: () => void = sipcentric.stream.subscribe('incomingcall', (ev: StreamEvent) => {
  if (ev.event === 'incomingcall') {
    const number: string = ev.values.callerIdNumber;
    console.log(number, ev.values.callerIdName, ev.values.endpoint);
  }
});
sipcentric.stream.subscribe(['smsreceived', 'smsdelivered'], (ev) => {
  switch (ev.event) {
    case 'smsreceived':
      console.log(ev.values.from, ev.values.to, ev.values.excerpt);
      break;
    case 'smsdelivered':
      console.log('delivered', ev.location);
      break;
  }
});
// Event names the PBX may add later are accepted.
sipcentric.stream.subscribe('somethingnew', (ev) => console.log(ev.event));
stop();

// @ts-expect-error: the callback is required
sipcentric.stream.subscribe('incomingcall');
// @ts-expect-error: an event name is a string
sipcentric.stream.subscribe(42, () => {});
// One known event name types the event.
sipcentric.stream.subscribe('smsreceived', (ev) => {
  const excerpt: string = ev.values.excerpt;
  console.log(excerpt);
});
sipcentric.stream.subscribe(['incomingcall', 'smsreceived'], (ev) => {
  // @ts-expect-error: values must be narrowed by ev.event first
  console.log(ev.values.excerpt);
});
sipcentric.stream.subscribe('incomingcall', (ev) => {
  // @ts-expect-error: an incomingcall has no excerpt
  console.log(ev.values.excerpt);
});

export {};
