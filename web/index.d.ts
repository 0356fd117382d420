// Type declarations of the wasmphone package: the Sipcentric PBX API, its
// event stream and a SIP/WebRTC user agent with the shapes of JsSIP 3.x.
//
// These declare the contract (the API of @sipcentric/pbx-client and of the
// JsSIP UA it returned), not any one build's progress. They are checked by
// `make typecheck` against the example programs in test/types/.

// ---------------------------------------------------------------------------
// Loading

/** Options of {@link load}. */
export interface LoadOptions {
  /** Where the module is; default: wasmphone.wasm beside the package's files. */
  wasmURL?: string | URL;
  /** How long to wait for the module to start, in ms (default 60000). */
  timeoutMs?: number;
}

/** The object the started module hands over: the whole API. */
export interface Api {
  /** The library's version. */
  readonly version: string;
  /** The PBX client class. */
  readonly Sipcentric: typeof Sipcentric;
}

/** Loads and starts the module; resolves to its API object. */
export function load(options?: LoadOptions): Promise<Api>;

/** The library's version. */
export const version: string;

declare const api: Api;
export default api;

// ---------------------------------------------------------------------------
// Errors and callbacks

/** The HTTP response an error came from. */
export interface ErrorResponse {
  status: number;
  statusText?: string;
  headers: Record<string, string>;
  url: string;
}

/**
 * What every failed call rejects with (or passes to its callback): an Error
 * with the HTTP details when there was a response. Messages the original
 * client used are kept: "Error parsing JSON", "Errors in response body",
 * "Validation errors in response body".
 */
export interface SipcentricError extends Error {
  /** The HTTP status, when there was a response. */
  statusCode?: number;
  /** The parsed body when it was JSON, else its text. */
  responseBody?: unknown;
  response?: ErrorResponse;
}

/** A Node-style callback: with one, the method returns nothing. */
export type Callback<T> = (err: SipcentricError | null, value?: T) => void;

// ---------------------------------------------------------------------------
// The client

/** Options of the {@link Sipcentric} constructor. */
export interface SipcentricOptions {
  /** Web-portal user name (HTTP Basic auth). */
  username?: string;
  /** Web-portal password. */
  password?: string;
  /** Sent as X-Partner-Id on every request. */
  partnerId?: string | number;
  /** A bearer token instead of user name and password. */
  token?: string;
  /** The REST API base (default https://pbx.sipcentric.com/api/v1). */
  baseUrl?: string;
  /** The same as baseUrl. */
  baseURL?: string;
  /** Request timeout in ms. */
  timeout?: number;
  /** The SIP WebSocket server getUA uses by default. */
  wsServer?: string;
  /** The SIP domain getUA uses by default. */
  domain?: string;
  /** Log requests and SIP traffic to the console. */
  debug?: boolean;
  /** Further options an implementation may take. */
  [option: string]: unknown;
}

/** The rate limit the last response reported (X-RateLimit-*). */
export interface RateLimit {
  limit?: number;
  remaining?: number;
  /** Seconds until the limit resets. */
  reset?: number;
}

/** The PBX API client. */
export class Sipcentric {
  constructor(options: SipcentricOptions);
  /** `/customers/`: `customers.get('me')` is the caller's own customer. */
  readonly customers: Accessor<Customer>;
  /** From the last response. */
  readonly rateLimit: RateLimit;
  /** The event stream (`/stream`): one connection, shared by subscribers. */
  readonly stream: Stream;
  /**
   * A SIP user agent for a phone extension; discovers the SIP credentials
   * through the API when config has no username/password.
   */
  getUA(config?: UAConfig): Promise<UA>;
}

// ---------------------------------------------------------------------------
// Resources

/** An item id: a number or a string (`'me'` where the API allows it). */
export type Id = string | number;

/** Query parameters; `pageSize` (max 200) and `page` page through lists. */
export interface QueryParams {
  page?: number;
  pageSize?: number;
  [param: string]: string | number | boolean | undefined;
}

/** Filters of the calls list. */
export interface CallQueryParams extends QueryParams {
  createdAfter?: string;
  createdBefore?: string;
  startedAfter?: string;
  startedBefore?: string;
  from?: string;
  to?: string;
  direction?: 'in' | 'out';
  includeLocal?: boolean;
  endpointId?: Id;
}

/** Filters of the recordings list. */
export interface RecordingQueryParams extends QueryParams {
  linkedId?: string;
}

/** One page of a list, with the way to its neighbours. */
export interface List<T> {
  /** The representations of this page. */
  items: T[];
  totalItems: number;
  pageSize: number;
  page: number;
  /** Fetches the next page; rejects when there is none. */
  nextPage(): Promise<List<T>>;
  /** Fetches the previous page; rejects when there is none. */
  prevPage(): Promise<List<T>>;
  /** Every item from this page on, fetching the following pages as needed. */
  [Symbol.asyncIterator](): AsyncIterator<T>;
}

/** Fields every item carries. */
export interface BaseFields {
  /** The item type ("customer", "phone", ...). */
  type?: string;
  id?: string;
  /** Absolute URL of the item. */
  uri?: string;
  /** ISO 8601. */
  created?: string;
  /** URL of the parent item. */
  parent?: string;
  /** Related resources: name -> URL. */
  links?: Record<string, string>;
}

/**
 * What every representation offers: its fields as plain properties (known
 * ones typed, any other the server sends kept as it is) and save/delete.
 */
export interface RepresentationMethods {
  /** POST to the list without an id, PUT to the item with one; resolves to the saved item. */
  save(): Promise<this>;
  save(callback: Callback<this>): void;
  /** DELETE the item. */
  delete(): Promise<void>;
  delete(callback: Callback<void>): void;
}

/** A representation with the fields F and the child accessors C. */
export type Representation<F extends object = {}, C extends object = {}> = BaseFields &
  F &
  C &
  RepresentationMethods & { [field: string]: unknown };

/** The fields a new item may be created with. */
export type Init<T> = T extends unknown
  ? {
      [K in keyof T as string extends K
        ? never
        : K extends keyof RepresentationMethods
          ? never
          : T[K] extends Accessor<any, any> | SingleAccessor<any, any>
            ? never
            : K]?: T[K];
    } & { [field: string]: unknown }
  : never;

/**
 * A list resource. Arguments are told apart by type: string or number = id,
 * object = query parameters, function = callback (then nothing is returned).
 */
export interface Accessor<T, P extends QueryParams = QueryParams> {
  get(callback: Callback<List<T>>): void;
  get(params: P, callback: Callback<List<T>>): void;
  get(id: Id, callback: Callback<T>): void;
  get(id: Id, params: P, callback: Callback<T>): void;
  get(params?: P): Promise<List<T>>;
  get(id: Id, params?: P): Promise<T>;
  /** Builds a representation locally (no request); save() sends it. */
  create(obj?: Init<T>): T;
}

/** A resource that is one object rather than a list (creditstatus, sip). */
export interface SingleAccessor<T, P extends QueryParams = QueryParams> {
  get(callback: Callback<T>): void;
  get(params: P, callback: Callback<T>): void;
  get(params?: P): Promise<T>;
  /** Builds a representation locally (no request); save() PUTs it. */
  create(obj?: Init<T>): T;
}

// Field sets of the documented resources. Every field is optional: a
// representation built with create() has only what it was given, and the
// server may leave fields out.

export interface CustomerFields {
  type?: 'customer';
  accountType?: string;
  company?: string;
  firstName?: string;
  lastName?: string;
  telephone?: string;
  email?: string;
  address1?: string;
  address2?: string;
  city?: string;
  postcode?: string;
  country?: string;
  properties?: unknown[];
  enabled?: boolean;
  partnerId?: string | number;
}

export interface CustomerChildren {
  availablebundles: Accessor<AvailableBundle>;
  billing: SingleAccessor<BillingAccount>;
  calls: Accessor<Call, CallQueryParams>;
  callbundles: Accessor<CustomerBundle>;
  creditstatus: SingleAccessor<CreditStatus>;
  /** Every kind of endpoint; the item's type tells which. */
  endpoints: Accessor<Endpoint>;
  phones: Accessor<Phone>;
  virtuals: Accessor<Virtual>;
  groups: Accessor<Group>;
  queues: Accessor<Queue>;
  ivrs: Accessor<Ivr>;
  mailboxes: Accessor<Mailbox>;
  /** `linkedusers.get('me')` is the caller. */
  linkedusers: Accessor<LinkedUser>;
  /** Prompts and music together. */
  sounds: Accessor<Prompt | Music>;
  prompts: Accessor<Prompt>;
  music: Accessor<Music>;
  outgoingcallerids: Accessor<OutgoingCallerId>;
  phonebook: Accessor<PhonebookEntry>;
  /** The same as phonebook (the original README spells it so once). */
  phonebookEntry: Accessor<PhonebookEntry>;
  phonenumbers: Accessor<PhoneNumber>;
  preferences: SingleAccessor<CustomerPreferences>;
  recordings: Accessor<Recording, RecordingQueryParams>;
  smsmessages: Accessor<SmsMessage>;
  timeintervals: Accessor<TimeInterval>;
}

export type Customer = Representation<CustomerFields, CustomerChildren>;

export interface PhonebookEntryFields {
  type?: 'phonebookentry';
  name?: string;
  phoneNumber?: string;
  email?: string;
  speedDial?: number;
  priority?: number;
}
export type PhonebookEntry = Representation<PhonebookEntryFields>;

export interface SmsMessageFields {
  type?: 'smsmessage';
  direction?: 'IN' | 'OUT';
  from?: string;
  to?: string;
  body?: string;
  sendStatus?: 'PENDING' | 'SENT' | 'FAILED' | 'PARTIAL';
  deliveryStatus?: string;
  cost?: number;
  creditsUsed?: number;
}
export type SmsMessage = Representation<SmsMessageFields>;

export interface CallFields {
  type?: 'call';
  scope?: 'LOCAL' | 'DOMAIN' | 'EXTERNAL';
  direction?: 'IN' | 'OUT';
  from?: string;
  to?: string;
  callerId?: string;
  /** ISO 8601. */
  callStarted?: string;
  outcome?: 'ANSWERED' | 'NO_ANSWER' | 'BUSY' | 'FAILED';
  /** Seconds. */
  duration?: number;
  cost?: number;
  callId?: string;
  linkedId?: string;
  srcEndpoint?: string;
  dstEndpoint?: string;
  /** To originate a call: the URI of the endpoint to ring first. */
  endpoint?: string;
}
export type Call = Representation<CallFields>;

export interface PromptFields {
  type?: 'prompt';
  name?: string;
  size?: number;
}
export type Prompt = Representation<PromptFields>;

export interface MusicFields {
  type?: 'music';
  name?: string;
  size?: number;
  enabled?: boolean;
}
export type Music = Representation<MusicFields>;

export interface RecordingFields {
  type?: 'recording';
  direction?: string;
  partyId?: string;
  started?: string;
  size?: number;
  callId?: string;
  linkedId?: string;
  endpoint?: string;
}
export type Recording = Representation<RecordingFields>;

export interface WeeklyTime {
  daysOfWeek?: Array<'MON' | 'TUE' | 'WED' | 'THU' | 'FRI' | 'SAT' | 'SUN'>;
  startTime?: string;
  endTime?: string;
}
export interface YearlyTime {
  month?: 'JAN' | 'FEB' | 'MAR' | 'APR' | 'MAY' | 'JUN' | 'JUL' | 'AUG' | 'SEP' | 'OCT' | 'NOV' | 'DEC';
  dayOfMonth?: number;
  startTime?: string;
  endTime?: string;
}
export interface TimeIntervalFields {
  type?: 'timeinterval';
  name?: string;
  shared?: boolean;
  repeat?: 'WEEKLY' | 'YEARLY';
  includedTimes?: Array<WeeklyTime | YearlyTime>;
}
export type TimeInterval = Representation<TimeIntervalFields>;

/** Fields all endpoints share. */
export interface EndpointFields {
  shortNumber?: string;
  name?: string;
}

export interface PhoneFields extends EndpointFields {
  type?: 'phone';
  email?: string;
  timeout?: number;
  callWaiting?: boolean;
  callRecording?: 'ALWAYS' | 'OFF' | 'ON_DEMAND';
  voicemailEnabled?: boolean;
  defaultCallerId?: string;
  voicemailSettings?: unknown;
}
export interface PhoneChildren {
  /** The SIP identity of the phone (one object). */
  sip: SingleAccessor<SipIdentity>;
  forwardingrules: Accessor<ForwardingRule>;
  /** Do-not-disturb state. */
  phonestatus: SingleAccessor<PhoneStatus>;
}
export type Phone = Representation<PhoneFields, PhoneChildren>;

export interface VirtualFields extends EndpointFields {
  type?: 'virtual';
  destination?: string;
  timeout?: number;
  screeningEnabled?: boolean;
}
export type Virtual = Representation<VirtualFields>;

export interface GroupFields extends EndpointFields {
  type?: 'group';
  memberTimeout?: number;
  ringFor?: number;
  cascadeDelay?: number;
  failoverDestination?: string;
  members?: unknown[];
}
export type Group = Representation<GroupFields>;

export interface QueueFields extends EndpointFields {
  type?: 'queue';
  maxWait?: number;
  members?: unknown[];
  memberTimeout?: number;
  entrySound?: string;
  timeoutDestination?: string;
}
export interface QueueChildren {
  entries: Accessor<QueueEntry>;
  memberships: Accessor<QueueMembership>;
  status: SingleAccessor<QueueStatus>;
}
export type Queue = Representation<QueueFields, QueueChildren>;

export interface IvrItem {
  key?: string;
  action?: {
    type?: 'transfer' | 'playsound' | 'goto' | 'dialext';
    destination?: string;
    sound?: string;
  };
}
export interface IvrFields extends EndpointFields {
  type?: 'ivr';
  entrySound?: string;
  timeout?: number;
  items?: IvrItem[];
}
export type Ivr = Representation<IvrFields>;

export interface MailboxFields extends EndpointFields {
  type?: 'mailbox';
  email?: string;
  pin?: string;
  allowReview?: boolean;
}
export type Mailbox = Representation<MailboxFields>;

export interface TrunkFields extends EndpointFields {
  type?: 'trunk';
}
export type Trunk = Representation<TrunkFields>;

/** Any endpoint; narrow it by `type`. */
export type Endpoint = Phone | Virtual | Group | Queue | Ivr | Mailbox | Trunk;

export interface RoutingRuleFields {
  type?: 'routingrule';
  timeInterval?: string;
  destination?: string;
}
export type RoutingRule = Representation<RoutingRuleFields>;

export interface PhoneNumberFields {
  /** Always "phonenumber" here, whatever the server calls it ("did"). */
  type?: 'phonenumber';
  number?: string;
  formatted?: string;
  identifier?: string;
  destination?: string;
  smsEnabled?: boolean;
  smsCapable?: boolean;
  smsAllowIncoming?: boolean;
  smsNotificationEmail?: string;
  smsNotificationUrl?: string;
  faxEnabled?: boolean;
  faxNotificationEmail?: string;
  routingRules?: Array<{ timeInterval?: string; destination?: string }>;
}
export interface PhoneNumberChildren {
  routingrules: Accessor<RoutingRule>;
}
export type PhoneNumber = Representation<PhoneNumberFields, PhoneNumberChildren>;

export interface OutgoingCallerIdFields {
  type?: 'outgoingcallerid';
  number?: string;
  allowCalls?: boolean;
  allowSms?: boolean;
  status?: string;
}
export type OutgoingCallerId = Representation<OutgoingCallerIdFields>;

export interface CreditStatusFields {
  type?: 'creditstatus';
  accountType?: 'PREPAID' | 'POSTPAID';
  balance?: number;
}
export type CreditStatus = Representation<CreditStatusFields>;

export interface CustomerBundleFields {
  type?: 'customerbundle';
  name?: string;
  inclusiveMins?: number;
  priceMonthly?: number;
  validFrom?: string;
  validTo?: string;
  usedMins?: number;
  availableMins?: number;
  autoRenew?: boolean;
  status?: 'ACTIVE' | 'EXPIRED';
}
export type CustomerBundle = Representation<CustomerBundleFields>;

export interface AvailableBundleFields {
  type?: 'availablebundle';
  name?: string;
  inclusiveMins?: number;
  priceMonthly?: number;
}
export type AvailableBundle = Representation<AvailableBundleFields>;

export type AccessLevel = 'CUSTOMER' | 'EXTENSION' | 'RESELLER' | 'SUPPORT_L1' | 'SUPPORT_L2' | 'ADMIN';

export interface LinkedUserFields {
  type?: 'linkeduser';
  accessLevel?: AccessLevel;
  email?: string;
  enabled?: boolean;
  owner?: boolean;
  /** The id of the user's default extension (endpoint). */
  defaultExtension?: string | number;
  recordingAccess?: 'NONE' | 'OWN' | 'ALL';
  firstName?: string;
  lastName?: string;
  username?: string;
}
export type LinkedUser = Representation<LinkedUserFields>;

export interface SipIdentityFields {
  type?: 'sipidentity';
  /** Six digits, zero padded. */
  username?: string;
  password?: string;
  domain?: string;
}
export interface SipIdentityChildren {
  registrations: Accessor<SipRegistration>;
}
export type SipIdentity = Representation<SipIdentityFields, SipIdentityChildren>;

export interface SipRegistrationFields {
  type?: 'sipregistration';
  userAgent?: string;
  contact?: string;
  received?: string;
  socket?: string;
  lanIP?: string;
  wanIP?: string;
  updated?: string;
  expires?: string | number;
}
export type SipRegistration = Representation<SipRegistrationFields>;

export interface ForwardingRuleFields {
  type?: 'forwardingrule';
  enabled?: boolean;
  timeInterval?: string;
  action?: 'FORWARD' | 'FOLLOWME' | 'VOICEMAIL';
  callOutcome?: 'BUSY' | 'NOANSWER' | 'FAILURE';
  destination?: string;
  externalOnly?: boolean;
}
export type ForwardingRule = Representation<ForwardingRuleFields>;

export interface PhoneStatusFields {
  type?: 'phonestatus';
  dndActive?: boolean;
}
export type PhoneStatus = Representation<PhoneStatusFields>;

export type QueueEntry = Representation<{ type?: 'queueentry' }>;
export type QueueMembership = Representation<{ type?: 'queuemembership' }>;
export type QueueStatus = Representation<{ type?: 'queuestatus' }>;

export type CustomerPreferences = Representation<{ type?: 'customerpreferences' }>;

export interface BillingAccountChildren {
  invoices: Accessor<Invoice>;
  estimate: SingleAccessor<Estimate>;
  paymentmethods: Accessor<PaymentMethod>;
}
export type BillingAccount = Representation<{ type?: 'billingaccount' }, BillingAccountChildren>;
export type Invoice = Representation<{ type?: 'invoice' }>;
export type Estimate = Representation<{ type?: 'estimate' }>;
/** `worldpay` and `stripe` kinds have been seen. */
export type PaymentMethod = Representation<{ type?: string }>;

// ---------------------------------------------------------------------------
// Event stream

/** Values of an `incomingcall` event. */
export interface IncomingCallValues {
  callerIdNumber: string;
  callerIdName: string;
  /** The endpoint rung, e.g. `/customers/325/endpoints/6874`. */
  endpoint: string;
}

/** Values of an `smsreceived` event. */
export interface SmsReceivedValues {
  to: string;
  from: string;
  excerpt: string;
}

/** The event names the PBX documents. */
export type StreamEventName = 'incomingcall' | 'smsreceived' | 'smsdelivered';

/** One event of the stream, whole as the server sent it. */
export type StreamEvent =
  | { event: 'incomingcall'; location?: unknown; values: IncomingCallValues }
  | { event: 'smsreceived'; location?: unknown; values: SmsReceivedValues }
  | { event: 'smsdelivered'; location?: unknown; values?: Record<string, unknown> };

/** The PBX event stream. */
export interface Stream {
  /**
   * Calls cb with every event of the given name(s); returns the function
   * that ends this subscription.
   */
  subscribe<E extends StreamEventName>(
    event: E | readonly E[],
    cb: (ev: Extract<StreamEvent, { event: E }>) => void,
  ): () => void;
  subscribe(event: string | readonly string[], cb: (ev: StreamEvent) => void): () => void;
}

// ---------------------------------------------------------------------------
// SIP user agent (JsSIP 3.x shapes; methods that do work return Promises)

/** Configuration of {@link Sipcentric.getUA}. */
export interface UAConfig {
  /** REGISTER with the server (default false). */
  register?: boolean;
  /**
   * The RFC 5626 instance id (a UUID); default kept in
   * localStorage['sc-instance-id'] in browsers, and for the life of the
   * Sipcentric object elsewhere.
   */
  instanceId?: string;
  /** Which customer to find the extension in (default: the first). */
  customerId?: Id;
  /** Which extension (default: the linked user's defaultExtension). */
  extensionId?: Id;
  /** SIP user name; with password, skips discovery through the API. */
  username?: string;
  /** SIP password. */
  password?: string;
  /**
   * Where the call's audio plays (remote) and the microphone is shown,
   * muted (local): elements or CSS selectors. The library binds and
   * unbinds them.
   */
  audio?: {
    local?: HTMLMediaElement | string | null;
    remote?: HTMLMediaElement | string | null;
  };
  /** SIP domain (default: the Sipcentric option, the SIP identity's, or sip.sipcentric.com). */
  domain?: string;
  /** WebSocket server (default: the Sipcentric option, or wss://sipws.sipcentric.com). */
  wsServer?: string;
  /** REGISTER expiry in seconds (default 300). */
  registerExpires?: number;
  /** User-Agent header. */
  userAgent?: string;
  /** Display name in From headers. */
  displayName?: string;
  /** ICE servers of calls (only iceServers is read). */
  pcConfig?: { iceServers?: RTCIceServer[] };
  /** Shorthand for pcConfig.iceServers. */
  iceServers?: RTCIceServer[];
  /** Longest wait for ICE candidates before an offer or answer is sent, in ms (default 2000). */
  iceGatheringTimeout?: number;
  /** Log SIP traffic (credentials redacted) to console.debug. */
  debug?: boolean;
}

/** A SIP URI as JsSIP exposes it. */
export interface URI {
  scheme: string;
  user: string;
  host: string;
  port: number | undefined;
  toString(): string;
}

/** A SIP name-address (From/To). */
export interface NameAddrHeader {
  uri: URI;
  display_name: string | undefined;
  toString(): string;
}

/** A SIP request or response, as events carry them. */
export interface SIPMessage {
  /** Requests: the method. */
  method?: string;
  /** Requests: the Request-URI. */
  ruri?: URI;
  /** Responses: the status code. */
  status_code?: number;
  reason_phrase?: string;
  from?: NameAddrHeader;
  to?: NameAddrHeader;
  call_id: string;
  body: string;
  /** Lower-case header names to their values, in order (credentials left out). */
  headers: Record<string, string[]>;
  /** The first value of a header, any case. */
  getHeader(name: string): string | undefined;
  hasHeader(name: string): boolean;
}
export interface IncomingRequest extends SIPMessage {
  method: string;
  ruri: URI;
}
export interface IncomingResponse extends SIPMessage {
  status_code: number;
  reason_phrase: string;
}
/** A request this UA sent. */
export type OutgoingRequest = IncomingRequest;

/** Who caused an event. */
export type Originator = 'local' | 'remote' | 'system';

/** Causes of failures and endings, as JsSIP names them. */
export type Cause =
  | 'Connection Error'
  | 'Request Timeout'
  | 'SIP Failure Code'
  | 'Internal Error'
  | 'Busy'
  | 'Rejected'
  | 'Redirected'
  | 'Unavailable'
  | 'Not Found'
  | 'Address Incomplete'
  | 'Incompatible SDP'
  | 'Missing SDP'
  | 'Authentication Error'
  | 'BYE'
  | 'WebRTC Error'
  | 'Canceled'
  | 'No Answer'
  | 'Expires'
  | 'No ACK'
  | 'Dialog Error'
  | 'User Denied Media Access'
  | 'Bad Media Description'
  | 'RTP Timeout'
  | 'Terminated';

/** Listener methods shared by the UA and the session. */
export interface TypedEmitter<M> {
  on<K extends keyof M>(type: K, listener: M[K]): this;
  once<K extends keyof M>(type: K, listener: M[K]): this;
  /** Without listener, removes every listener of type. */
  off<K extends keyof M>(type: K, listener?: M[K]): this;
  addListener<K extends keyof M>(type: K, listener: M[K]): this;
  removeListener<K extends keyof M>(type: K, listener: M[K]): this;
  removeAllListeners<K extends keyof M>(type?: K): this;
  emit<K extends keyof M>(type: K, ...args: unknown[]): boolean;
}

export interface ConnectingEvent {
  socket: { url: string };
  attempts: number;
}
export interface ConnectedEvent {
  socket: { url: string };
}
export interface DisconnectedEvent {
  /** Whether the connection was lost rather than closed on purpose. */
  error: boolean;
  /** The WebSocket close status. */
  code: number;
  reason: string;
}
export interface RegisteredEvent {
  response: IncomingResponse;
  /** The binding's lifetime the registrar granted, in seconds. */
  expires: number;
}
export interface UnregisteredEvent {
  response: IncomingResponse | null;
  cause: Cause | null;
}
export interface RegistrationFailedEvent {
  response: IncomingResponse | null;
  cause: Cause;
}
export interface NewRTCSessionEvent {
  originator: 'local' | 'remote';
  session: RTCSession;
  /** The INVITE of an incoming call; null for a local one. */
  request: IncomingRequest | null;
}
export interface Message {
  local_identity: NameAddrHeader;
  remote_identity: NameAddrHeader;
  content_type: string;
  body: string;
}
export interface NewMessageEvent {
  originator: 'local' | 'remote';
  message: Message;
  request: IncomingRequest | null;
}

/** The presence states of {@link UA.subscribeToUser}. */
export type UserState = 'AVAILABLE' | 'RINGING' | 'BUSY' | 'UNKNOWN';

/** UA events and their listeners. */
export interface UAEventMap {
  connecting: (e: ConnectingEvent) => void;
  connected: (e: ConnectedEvent) => void;
  disconnected: (e: DisconnectedEvent) => void;
  registered: (e: RegisteredEvent) => void;
  unregistered: (e: UnregisteredEvent) => void;
  registrationFailed: (e: RegistrationFailedEvent) => void;
  registrationExpiring: (e: Record<string, never>) => void;
  /** A call: incoming ones are refused (480) without a listener. */
  newRTCSession: (e: NewRTCSessionEvent) => void;
  /** A MESSAGE: incoming ones are refused without a listener. */
  newMessage: (e: NewMessageEvent) => void;
  /** A watched user's state changed (dialog event package, RFC 4235). */
  userStateChanged: (user: string, state: UserState) => void;
}

/** Options of a call (UA.call, UA.dial) and of RTCSession.answer. */
export interface CallOptions {
  /** Session listeners, attached before any session event. */
  eventHandlers?: Partial<RTCSessionEventMap>;
  /** Extra headers, each "Name: value". */
  extraHeaders?: string[];
  /** getUserMedia constraints (default audio only). */
  mediaConstraints?: MediaStreamConstraints;
  /** A stream to send instead of asking for the microphone; the caller keeps owning it. */
  mediaStream?: MediaStream;
  /** ICE servers of this call (only iceServers is read). */
  pcConfig?: { iceServers?: RTCIceServer[] };
  iceServers?: RTCIceServer[];
  /** Longest wait for ICE candidates, in ms. */
  iceGatheringTimeout?: number;
  /** RFC 4028 session timers with this interval in seconds (off by default). */
  sessionTimersExpires?: number;
  /** End an unanswered outgoing call after this many ms (default 60000). */
  noAnswerTimeout?: number;
}
export type AnswerOptions = Omit<CallOptions, 'eventHandlers' | 'noAnswerTimeout'>;

export interface SendMessageOptions {
  /** Content-Type of body (default text/plain). */
  contentType?: string;
}

/**
 * The SIP user agent. getUA resolves to one that starts by itself once
 * the code that awaited it has run, unless start() or stop() came first.
 * Methods that talk to the server return Promises that always settle.
 */
export interface UA extends TypedEmitter<UAEventMap> {
  /** Connects, and registers when configured to. Idempotent. */
  start(): void;
  /** Unregisters, ends calls and subscriptions, closes the connection. */
  stop(): Promise<void>;
  register(): Promise<void>;
  unregister(): Promise<void>;
  /**
   * Calls target (an extension, a number or a sip: URI) after asking for
   * the microphone. Resolves once the INVITE is sent; events before that
   * reach options.eventHandlers and newRTCSession listeners. Rejects
   * with cause 'User Denied Media Access' when the microphone is refused,
   * and in runtimes without WebRTC (Node.js).
   */
  call(target: string, options?: CallOptions): Promise<RTCSession>;
  /** The same as call(): audio only, as the original client's dial. */
  dial(target: string, options?: CallOptions): Promise<RTCSession>;
  sendMessage(target: string, body: string, options?: SendMessageOptions): Promise<void>;
  /** Watches a user's dialog state; changes come as userStateChanged. */
  subscribeToUser(user: string): Promise<void>;
  /** Stops watching a user. */
  unsubscribeUser(user: string): Promise<void>;
  /** Ends every subscription (sends the un-SUBSCRIBEs). */
  clearSubscriptions(): Promise<void>;
  /** Ends every call. */
  terminateSessions(): Promise<void>;
  isConnected(): boolean;
  isRegistered(): boolean;
  /** The RFC 5626 instance id in use. */
  readonly instanceId: string;
  /** The address of record, sip:user@domain. */
  readonly uri: string;
}

// ---------------------------------------------------------------------------
// Calls

export interface TerminateOptions {
  /** The final response to an unanswered incoming call (default 486). */
  status_code?: number;
}

export interface DTMFOptions {
  /** Tone length in ms (default 100). */
  duration?: number;
  /** Pause between tones in ms (default 500). */
  interToneGap?: number;
  /** RFC 2833/4733 in the media (default) or SIP INFO. */
  transportType?: 'INFO' | 'RFC2833';
}

export interface ReferOptions {
  /** Attended transfer: the established call the target replaces. */
  replaces?: RTCSession;
}

/** What getStats()/quality() report about a call's audio. */
export interface CallQuality {
  packetsSent: number;
  packetsReceived: number;
  packetsLost: number;
  /** Seconds, as WebRTC statistics give it (0 unknown). */
  jitter: number;
  /** Seconds (0 unknown). */
  roundTripTime: number;
  /** Received audio level in [0, 1]. */
  audioLevel: number;
  bytesSent: number;
  bytesReceived: number;
}

export interface EndedEvent {
  originator: Originator;
  cause: Cause;
  message: SIPMessage | null;
}
export interface ResponseEvent {
  originator: Originator;
  response?: IncomingResponse;
}
export interface HoldEvent {
  originator: 'local' | 'remote';
}
export interface DTMF {
  tone: string;
  /** Milliseconds. */
  duration: number;
}
export interface NewDTMFEvent {
  originator: 'remote';
  dtmf: DTMF;
  request?: IncomingRequest;
}
export interface NewInfoEvent {
  originator: 'local' | 'remote';
  info: { contentType: string; body: string };
  request?: IncomingRequest;
}
/** A transfer the peer asked for (an incoming REFER). */
export interface ReferEvent {
  originator: 'remote';
  request?: IncomingRequest;
  /** The transfer target. */
  target: string;
  /** Calls the target (with the microphone); resolves to the new call. */
  accept(options?: CallOptions): Promise<RTCSession>;
  reject(options?: { status_code?: number }): Promise<void>;
}
export interface ReferProgressEvent {
  originator: 'remote';
  /** The status of the transferee's call to the target (sipfrag). */
  status_code: number;
  request?: IncomingRequest;
}
export interface ReplacesEvent {
  originator: 'remote';
  /** The call taking over this one (an attended transfer). */
  session: RTCSession | null;
}

/** RTCSession events and their listeners. */
export interface RTCSessionEventMap {
  peerconnection: (e: { originator: Originator; peerconnection: RTCPeerConnection | null }) => void;
  connecting: (e: { originator: Originator }) => void;
  sending: (e: { originator: Originator; request?: OutgoingRequest }) => void;
  progress: (e: ResponseEvent) => void;
  accepted: (e: ResponseEvent) => void;
  confirmed: (e: { originator: Originator }) => void;
  ended: (e: EndedEvent) => void;
  failed: (e: EndedEvent) => void;
  hold: (e: HoldEvent) => void;
  unhold: (e: HoldEvent) => void;
  muted: (e: { originator: Originator }) => void;
  unmuted: (e: { originator: Originator }) => void;
  newDTMF: (e: NewDTMFEvent) => void;
  newInfo: (e: NewInfoEvent) => void;
  refer: (e: ReferEvent) => void;
  replaces: (e: ReplacesEvent) => void;
  reinvite: (e: { originator: Originator; request?: IncomingRequest }) => void;
  /** Progress of a transfer this side asked for (refer()), from the transferee's NOTIFYs. */
  referTrying: (e: ReferProgressEvent) => void;
  referProgress: (e: ReferProgressEvent) => void;
  /** The transferee reached the target: the transferor usually hangs up now. */
  referAccepted: (e: ReferProgressEvent) => void;
  referFailed: (e: ReferProgressEvent) => void;
  /** answer() could not get the microphone; the call is refused with 480. */
  getusermediafailed: (e: Error) => void;
  /** The browser refused to play the remote audio (no user gesture yet). */
  autoplayfailed: (e: { error: Error }) => void;
}

/** One call. Methods that signal return Promises that always settle. */
export interface RTCSession extends TypedEmitter<RTCSessionEventMap> {
  /** The call's RTCPeerConnection (in browsers; null before it exists). */
  readonly connection: RTCPeerConnection | null;
  readonly direction: 'incoming' | 'outgoing';
  readonly local_identity: NameAddrHeader;
  readonly remote_identity: NameAddrHeader;
  /** When the call was answered; null before. */
  readonly start_time: Date | null;
  /** When the call ended; null before. */
  readonly end_time: Date | null;
  /** JsSIP's status number (RTCSession.C.STATUS_*). */
  readonly status: number;
  /** The microphone stream sent (undefined before it exists). */
  readonly localStream: MediaStream | undefined;
  /** The peer's audio (undefined before it arrives). */
  readonly remoteStream: MediaStream | undefined;
  /** Free for the application's own data. */
  readonly data: Record<string, unknown>;

  /** Answers an incoming call after asking for the microphone. */
  answer(options?: AnswerOptions): Promise<void>;
  /** CANCEL before an answer, BYE after, an error response to an unanswered incoming call. */
  terminate(options?: TerminateOptions): Promise<void>;
  hold(): Promise<void>;
  unhold(): Promise<void>;
  isOnHold(): { local: boolean; remote: boolean };
  /** Stops sending audio, without signalling. */
  mute(): void;
  unmute(): void;
  isMuted(): { audio: boolean; video: boolean };
  sendDTMF(tones: string, options?: DTMFOptions): Promise<void>;
  sendInfo(contentType: string, body?: string): Promise<void>;
  /** Blind transfer, or attended with options.replaces. */
  refer(target: string, options?: ReferOptions): Promise<void>;
  /** A re-INVITE, with new ICE credentials when iceRestart is set. */
  renegotiate(options?: { iceRestart?: boolean }): Promise<void>;
  isEstablished(): boolean;
  isInProgress(): boolean;
  isEnded(): boolean;
  /** Audio statistics of the call, for a quality indicator. */
  getStats(): Promise<CallQuality>;
  /** The same as getStats(). */
  quality(): Promise<CallQuality>;
}
