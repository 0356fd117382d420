// The PBX REST API as the original README and its users use it: promise and
// callback forms, paging, iteration, create/save/delete and errors.
// Type-checked by `make typecheck`; never run.

import wasmphone, { Sipcentric, load, version } from 'wasmphone';
import type { Customer, List, PhonebookEntry, SipcentricError, Phone, Endpoint } from 'wasmphone';

const v: string = version;
const v2: string = wasmphone.version;
const api = await load({ timeoutMs: 10_000 });
const Ctor: typeof Sipcentric = api.Sipcentric;

const sipcentric = new Sipcentric({ username: 'myuser', password: 'mypassword', partnerId: 42 });
const other = new wasmphone.Sipcentric({ username: 'u', password: 'p', baseUrl: 'http://127.0.0.1:8080/api/v1', timeout: 30_000 });

// Promise forms.
const customers: List<Customer> = await sipcentric.customers.get();
for (const customer of customers.items) {
  const email: string | undefined = customer.email;
  console.log(customer.id, email, customer.company);
}
console.log(customers.totalItems, customers.pageSize, customers.page);
const page2: List<Customer> = await customers.nextPage();
const page1: List<Customer> = await page2.prevPage();

const customer: Customer = await sipcentric.customers.get('me');
const sameCustomer = await sipcentric.customers.get(1234, { pageSize: 5 });
const firstPage = await sipcentric.customers.get({ pageSize: 200, page: 1 });

// Children and iteration over every page.
const phonebook = await customer.phonebook.get({ pageSize: 50 });
for await (const entry of phonebook) {
  const name: string | undefined = entry.name;
  const speedDial: number | undefined = entry.speedDial;
  console.log(name, entry.phoneNumber, speedDial);
}

// Create, save, update, delete.
const entry: PhonebookEntry = customer.phonebook.create({ name: 'Bob', phoneNumber: '01234567890', speedDial: 12 });
const saved: PhonebookEntry = await entry.save();
saved.email = 'bob@example.com';
await saved.save();
const viaAlias: PhonebookEntry = await customer.phonebookEntry.get(saved.id!);
viaAlias.name = 'Robert';
await viaAlias.save();
await viaAlias.delete();

// Unknown fields survive and are reachable.
const extra: unknown = saved.someFutureField;

// Callback forms return nothing.
const r1: void = sipcentric.customers.get((err, list) => {
  if (err) {
    console.error(err.message, err.statusCode);
    return;
  }
  console.log(list?.items.length);
});
sipcentric.customers.get('me', (err, c) => {
  if (!err && c) c.phones.get((err2, phones) => console.log(err2, phones?.totalItems));
});
sipcentric.customers.get(1234, { pageSize: 1 }, (err, c) => console.log(err?.responseBody, c?.firstName));
sipcentric.customers.get({ page: 2 }, (err, list) => console.log(list?.page));
entry.save((err, e) => console.log(err, e?.id));
entry.delete((err) => console.log(err));

// Errors.
try {
  await customer.calls.get({ direction: 'in', includeLocal: true, createdAfter: '2024-01-01T00:00:00Z' });
} catch (e) {
  const err = e as SipcentricError;
  const status: number | undefined = err.statusCode;
  const body: unknown = err.responseBody;
  if (err.response) {
    const s: number = err.response.status;
    const h: string | undefined = err.response.headers['x-ratelimit-remaining'];
    const u: string = err.response.url;
  }
  console.log(err.message, status, body);
}

// Rate limit.
const { limit, remaining, reset } = sipcentric.rateLimit;

// Deeper resources.
const phones = await customer.phones.get();
const phone: Phone = phones.items[0]!;
const sip = await phone.sip.get();
const sipUser: string | undefined = sip.username;
const regs = await sip.registrations.get();
for (const reg of regs.items) console.log(reg.userAgent, reg.contact, reg.expires);
const dnd = await phone.phonestatus.get();
dnd.dndActive = true;
await dnd.save();
await phone.forwardingrules.get();

const queues = await customer.queues.get();
const entries = await queues.items[0]!.entries.get();
const numbers = await customer.phonenumbers.get();
const rules = await numbers.items[0]!.routingrules.get();
console.log(rules.items[0]?.destination);
const billing = await customer.billing.get();
const invoices = await billing.invoices.get();
const estimate = await billing.estimate.get();
const credit = await customer.creditstatus.get();
const balance: number | undefined = credit.balance;
const me = await customer.linkedusers.get('me');
const ext: string | number | undefined = me.defaultExtension;
const level: 'CUSTOMER' | 'EXTENSION' | 'RESELLER' | 'SUPPORT_L1' | 'SUPPORT_L2' | 'ADMIN' | undefined = me.accessLevel;
await customer.smsmessages.create({ to: '07902000000', from: 'Sipcentric', body: 'hello' }).save();
await customer.calls.create({ endpoint: phone.uri, to: '07902000000' }).save();
const recordings = await customer.recordings.get({ linkedId: 'abc' });

// Endpoints narrowed by type.
const endpoints = await customer.endpoints.get();
for (const e of endpoints.items as Endpoint[]) {
  if (e.type === 'phone') {
    const p: Phone = e;
    console.log(p.shortNumber, p.callRecording);
  }
}

// Misuse is rejected.
// @ts-expect-error: a boolean is neither an id, params nor a callback
sipcentric.customers.get(true);
// @ts-expect-error: a list has no save()
await customers.save();
// @ts-expect-error: nor delete()
await customers.delete();
// @ts-expect-error: speedDial is a number
customer.phonebook.create({ speedDial: 'twelve' });
// @ts-expect-error: the callback form returns no promise
await sipcentric.customers.get((err) => {}).then(() => {});
// @ts-expect-error: statusCode is a number
const wrong: string = ({} as SipcentricError).statusCode;
// @ts-expect-error: no such accessor is typed as one
customer.nosuch.get();
// @ts-expect-error: the constructor needs its options
new Sipcentric();

export {};
