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
// SIP user agent (JsSIP 3.x shapes)

/** Configuration of {@link Sipcentric.getUA}. */
export interface UAConfig {
  /** REGISTER with the server (default false). */
  register?: boolean;
  /** The RFC 5626 instance id (a UUID); default kept in localStorage['sc-instance-id'] in browsers. */
  instanceId?: string;
  /** Which customer to find the extension in (default: the first). */
  customerId?: Id;
  /** Which extension (default: the linked user's defaultExtension). */
  extensionId?: Id;
  /** SIP user name; with password, skips discovery through the API. */
  username?: string;
  /** SIP password. */
  password?: string;
  /** Where the call's audio plays and the local track is shown. */
  audio?: { local?: HTMLAudioElement | null; remote?: HTMLAudioElement | null };
  /** SIP domain (default sip.sipcentric.com). */
  domain?: string;
  /** WebSocket server (default wss://sipws.sipcentric.com). */
  wsServer?: string;
  /** REGISTER expiry in seconds (default 300). */
  registerExpires?: number;
  /** User-Agent header. */
  userAgent?: string;
  /** RTCPeerConnection configuration of calls. */
  pcConfig?: RTCConfiguration;
  /** Shorthand for pcConfig.iceServers. */
  iceServers?: RTCIceServer[];
  /** Log SIP traffic to the console. */
  debug?: boolean;
}

/** A SIP URI as JsSIP exposes it. */
export interface URI {
  scheme: string;
  user: string | undefined;
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

/** A received SIP request or response. */
export interface IncomingMessage {
  method?: string;
  status_code?: number;
  reason_phrase?: string;
  body?: string;
  ruri?: URI;
  from?: NameAddrHeader;
  to?: NameAddrHeader;
  call_id?: string;
  getHeader(name: string): string | undefined;
  hasHeader(name: string): boolean;
}
export interface IncomingRequest extends IncomingMessage {
  method: string;
}
export interface IncomingResponse extends IncomingMessage {
  status_code: number;
  reason_phrase: string;
}
/** A request this UA sent. */
export interface OutgoingRequest {
  method: string;
  ruri: URI;
  body?: string;
  getHeader(name: string): string | undefined;
  hasHeader(name: string): boolean;
}

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
  off<K extends keyof M>(type: K, listener?: M[K]): this;
  addListener<K extends keyof M>(type: K, listener: M[K]): this;
  removeListener<K extends keyof M>(type: K, listener: M[K]): this;
  removeAllListeners<K extends keyof M>(type?: K): this;
}

export interface ConnectingEvent {
  socket: unknown;
  attempts: number;
}
export interface ConnectedEvent {
  socket: unknown;
}
export interface DisconnectedEvent {
  socket: unknown;
  error: boolean;
  code?: number;
  reason?: string;
}
export interface RegisteredEvent {
  response: IncomingResponse;
}
export interface UnregisteredEvent {
  response: IncomingResponse | null;
  cause?: Cause;
}
export interface RegistrationFailedEvent {
  response: IncomingResponse | null;
  cause: Cause;
}
export type NewRTCSessionEvent =
  | { originator: 'local'; session: RTCSession; request: OutgoingRequest }
  | { originator: 'remote'; session: RTCSession; request: IncomingRequest };
export interface Message {
  direction: 'incoming' | 'outgoing';
  local_identity: NameAddrHeader;
  remote_identity: NameAddrHeader;
  accept(options?: { extraHeaders?: string[]; body?: string }): void;
  reject(options?: { status_code?: number; reason_phrase?: string; extraHeaders?: string[] }): void;
}
export type NewMessageEvent =
  | { originator: 'local'; message: Message; request: OutgoingRequest }
  | { originator: 'remote'; message: Message; request: IncomingRequest };
export interface NewOptionsEvent {
  originator: 'local' | 'remote';
  request: IncomingRequest | OutgoingRequest;
}
export interface SipEventEvent {
  event: unknown;
  request: IncomingRequest;
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
  registrationExpiring: () => void;
  newRTCSession: (e: NewRTCSessionEvent) => void;
  newMessage: (e: NewMessageEvent) => void;
  newOptions: (e: NewOptionsEvent) => void;
  sipEvent: (e: SipEventEvent) => void;
  /** A watched user's state changed (dialog event package, RFC 4235). */
  userStateChanged: (user: string, state: UserState) => void;
}

/** Offer options; JsSIP users pass the legacy offerToReceive* as 0/1 too. */
export interface OfferConstraints {
  iceRestart?: boolean;
  offerToReceiveAudio?: number | boolean;
  offerToReceiveVideo?: number | boolean;
}

/** Options of a call (UA.call, UA.dial, RTCSession.answer). */
export interface CallOptions {
  eventHandlers?: Partial<RTCSessionEventMap>;
  extraHeaders?: string[];
  anonymous?: boolean;
  fromUserName?: string;
  fromDisplayName?: string;
  mediaConstraints?: MediaStreamConstraints;
  mediaStream?: MediaStream;
  pcConfig?: RTCConfiguration;
  rtcOfferConstraints?: OfferConstraints;
  rtcAnswerConstraints?: RTCAnswerOptions;
  sessionTimersExpires?: number;
}
export type AnswerOptions = Omit<CallOptions, 'eventHandlers' | 'anonymous' | 'fromUserName' | 'fromDisplayName' | 'rtcOfferConstraints'>;

export interface SendMessageOptions {
  eventHandlers?: {
    succeeded?: (e: { originator: Originator; response: IncomingResponse }) => void;
    failed?: (e: { originator: Originator; response: IncomingResponse | null; cause: Cause }) => void;
  };
  extraHeaders?: string[];
  contentType?: string;
}

/** The SIP user agent. */
export interface UA extends TypedEmitter<UAEventMap> {
  /** Connects (and registers when configured to). */
  start(): void;
  /** Unregisters, ends sessions and subscriptions, closes the connection. */
  stop(): void;
  register(): void;
  unregister(options?: { all?: boolean }): void;
  /** Starts an outgoing call. */
  call(target: string, options?: CallOptions): RTCSession;
  /** call() with audio only: no video asked for or offered. */
  dial(target: string, options?: CallOptions): RTCSession;
  sendMessage(target: string, body: string, options?: SendMessageOptions): Message;
  sendOptions(target: string, body?: string, options?: SendMessageOptions): void;
  /** Watches a user's dialog state; changes come as userStateChanged. */
  subscribeToUser(user: string): void;
  /** Stops watching a user. */
  unsubscribeUser(user: string): void;
  /** Ends every subscription (sends the un-SUBSCRIBEs). */
  clearSubscriptions(): void;
  terminateSessions(options?: TerminateOptions): void;
  isConnected(): boolean;
  isRegistered(): boolean;
  get(parameter: string): unknown;
  set(parameter: string, value: unknown): boolean;
}

// ---------------------------------------------------------------------------
// Calls

export interface TerminateOptions {
  status_code?: number;
  reason_phrase?: string;
  cause?: Cause | string;
  extraHeaders?: string[];
  body?: string;
}

export interface DTMFOptions {
  /** Tone length in ms (default 100). */
  duration?: number;
  /** Pause between tones in ms (default 500). */
  interToneGap?: number;
  transportType?: 'INFO' | 'RFC2833';
  extraHeaders?: string[];
}

export interface ReferOptions {
  /** Attended transfer: the call the target replaces. */
  replaces?: RTCSession;
  extraHeaders?: string[];
  eventHandlers?: Partial<Record<'requestSucceeded' | 'requestFailed' | 'trying' | 'progress' | 'accepted' | 'failed', (e: unknown) => void>>;
}

export interface RenegotiateOptions {
  useUpdate?: boolean;
  rtcOfferConstraints?: OfferConstraints;
  extraHeaders?: string[];
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
  message?: IncomingMessage | null;
  cause: Cause;
}
export interface ProgressEvent {
  originator: Originator;
  response?: IncomingResponse;
}
export interface AcceptedEvent {
  originator: Originator;
  response?: IncomingResponse;
}
export interface HoldEvent {
  originator: 'local' | 'remote';
}
export interface MuteEvent {
  audio?: boolean;
  video?: boolean;
}
export interface DTMF {
  tone: string;
  duration: number;
}
export interface NewDTMFEvent {
  originator: 'local' | 'remote';
  dtmf: DTMF;
  request: IncomingRequest | OutgoingRequest;
}
export interface Info {
  contentType: string;
  body: string;
}
export interface NewInfoEvent {
  originator: 'local' | 'remote';
  info: Info;
  request: IncomingRequest | OutgoingRequest;
}
export interface ReferEvent {
  request: IncomingRequest;
  accept(initCallback?: (session: RTCSession) => void, options?: CallOptions): void;
  reject(options?: { status_code?: number; reason_phrase?: string }): void;
}
export interface ReplacesEvent {
  request: IncomingRequest;
  accept(initCallback?: (session: RTCSession) => void): void;
  reject(): void;
}
export interface ReinviteEvent {
  request: IncomingRequest;
  callback?: () => void;
  reject(options?: { status_code?: number; reason_phrase?: string }): void;
}
export interface SdpEvent {
  originator: 'local' | 'remote';
  type: 'offer' | 'answer';
  sdp: string;
}

/** RTCSession events and their listeners. */
export interface RTCSessionEventMap {
  peerconnection: (e: { peerconnection: RTCPeerConnection }) => void;
  connecting: (e: { request: OutgoingRequest }) => void;
  sending: (e: { request: OutgoingRequest }) => void;
  progress: (e: ProgressEvent) => void;
  accepted: (e: AcceptedEvent) => void;
  confirmed: (e: { originator: Originator; ack?: IncomingRequest | OutgoingRequest }) => void;
  ended: (e: EndedEvent) => void;
  failed: (e: EndedEvent) => void;
  hold: (e: HoldEvent) => void;
  unhold: (e: HoldEvent) => void;
  muted: (e: MuteEvent) => void;
  unmuted: (e: MuteEvent) => void;
  newDTMF: (e: NewDTMFEvent) => void;
  newInfo: (e: NewInfoEvent) => void;
  refer: (e: ReferEvent) => void;
  replaces: (e: ReplacesEvent) => void;
  reinvite: (e: ReinviteEvent) => void;
  update: (e: ReinviteEvent) => void;
  sdp: (e: SdpEvent) => void;
  icecandidate: (e: { candidate: RTCIceCandidate; ready: () => void }) => void;
  getusermediafailed: (e: unknown) => void;
}

/** One call. */
export interface RTCSession extends TypedEmitter<RTCSessionEventMap> {
  /** The call's RTCPeerConnection (in browsers; undefined before it exists). */
  readonly connection: RTCPeerConnection | undefined;
  readonly direction: 'incoming' | 'outgoing';
  readonly local_identity: NameAddrHeader;
  readonly remote_identity: NameAddrHeader;
  /** When the call was answered; undefined before. */
  readonly start_time: Date | undefined;
  /** When the call ended; undefined before. */
  readonly end_time: Date | undefined;
  /** JsSIP's status number (RTCSession.C.STATUS_*). */
  readonly status: number;
  /** Free for the application's own data. */
  data: Record<string, unknown>;
  readonly id: string;

  answer(options?: AnswerOptions): void;
  /** CANCEL before an answer, BYE after, an error response to an unanswered incoming call. */
  terminate(options?: TerminateOptions): void;
  hold(options?: { useUpdate?: boolean }, done?: () => void): boolean;
  unhold(options?: { useUpdate?: boolean }, done?: () => void): boolean;
  isOnHold(): { local: boolean; remote: boolean };
  mute(options?: { audio?: boolean; video?: boolean }): void;
  unmute(options?: { audio?: boolean; video?: boolean }): void;
  isMuted(): { audio: boolean; video: boolean };
  sendDTMF(tones: string | number, options?: DTMFOptions): void;
  sendInfo(contentType: string, body?: string, options?: { extraHeaders?: string[] }): void;
  /** Blind transfer, or attended with options.replaces. */
  refer(target: string, options?: ReferOptions): void;
  renegotiate(options?: RenegotiateOptions, done?: () => void): boolean;
  isEstablished(): boolean;
  isInProgress(): boolean;
  isEnded(): boolean;
  isReadyToReOffer(): boolean;
  /** Audio statistics of the call. */
  getStats(): Promise<CallQuality>;
  /** The same as getStats(). */
  quality(): Promise<CallQuality>;
}
