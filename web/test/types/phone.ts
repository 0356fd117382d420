// The SIP user agent as the original softphone example and JsSIP users use
// it. Type-checked by `make typecheck`; never run.

import { Sipcentric } from 'wasmphone';
import type { UA, RTCSession, UserState, Cause, CallQuality } from 'wasmphone';

const sipcentric = new Sipcentric({ username: 'u', password: 'p' });

const ua: UA = await sipcentric.getUA({
  register: true,
  customerId: 1234,
  extensionId: '5678',
  audio: {
    local: document.querySelector<HTMLAudioElement>('#local'),
    remote: document.getElementById('remote') as HTMLAudioElement,
  },
  registerExpires: 300,
  userAgent: 'my softphone',
  iceServers: [{ urls: 'stun:stun.example.com:3478' }],
  debug: false,
});
const direct = await sipcentric.getUA({
  username: '000123',
  password: 'secret',
  domain: 'sip.example.com',
  wsServer: 'wss://127.0.0.1:8443',
  instanceId: '2f1c8a3e-3f1b-4f7e-9b4e-1c2d3e4f5a6b',
  pcConfig: { iceServers: [] },
});

let session: RTCSession | null = null;
const log = (line: string) => console.log(line);

ua.on('connecting', (e) => log(`connecting, attempt ${e.attempts}`));
ua.on('connected', () => log('connected'));
ua.on('disconnected', (e) => log(`disconnected ${e.code ?? ''} ${e.reason ?? ''}`));
ua.on('registered', (e) => log(`phone registered ${e.response.status_code}`));
ua.on('unregistered', () => log('phone unregistered'));
ua.on('registrationFailed', (e) => log(`phone registration failed: ${e.cause}`));
ua.once('registrationExpiring', () => ua.register());
ua.on('newMessage', (e) => {
  if (e.originator === 'remote') log(`message from ${e.message.remote_identity.uri.user}: ${e.message.body}`);
});

function watch(s: RTCSession) {
  s.on('peerconnection', (e) => {
    const pc: RTCPeerConnection | null = e.peerconnection;
    pc?.addEventListener('track', () => log('track'));
  });
  s.on('progress', () => log('ringing'));
  s.on('accepted', () => log('call accepted'));
  s.on('confirmed', () => log('call confirmed'));
  s.on('ended', (e) => {
    const cause: Cause = e.cause;
    log(`call ended with cause: ${cause}`);
    session = null;
  });
  s.on('failed', (e) => {
    if (e.cause === 'Busy' || e.cause === 'Rejected' || e.cause === 'Canceled') log('not answered');
    log(`call failed with cause: ${e.cause} (${e.originator})`);
    session = null;
  });
  s.on('hold', (e) => log(`call is on hold (${e.originator})`));
  s.on('unhold', () => log('call is off hold'));
  s.on('muted', () => log('muted'));
  s.on('unmuted', () => log('unmuted'));
  s.on('newDTMF', (e) => log(`DTMF ${e.dtmf.tone} ${e.originator}`));
  s.on('newInfo', (e) => log(`INFO ${e.info.contentType}`));
  s.on('refer', (e) => e.accept());
  s.on('replaces', (e) => { if (e.session) watch(e.session); });
  s.on('reinvite', () => log('re-INVITE'));
}

ua.on('newRTCSession', (e) => {
  session = e.session;
  watch(e.session);
  if (e.originator === 'remote') {
    log('new incoming call');
    log(`from ${e.session.remote_identity.display_name ?? ''} <${e.session.remote_identity.uri.user}>`);
    e.request?.getHeader('P-Asserted-Identity');
    e.session.answer({ mediaConstraints: { audio: true, video: false } });
  }
});

ua.start();
const out: RTCSession = await ua.dial('07902000000');
const out2 = await ua.call('sip:100@sip.example.com', {
  mediaConstraints: { audio: true, video: false },
  extraHeaders: ['X-Foo: bar'],
  eventHandlers: {
    confirmed: () => log('confirmed'),
    ended: (e) => log(e.cause),
  },
  pcConfig: { iceServers: [] },
  iceGatheringTimeout: 1500,
});
ua.dial('2001').catch((err: Error) => log(`dial failed: ${err.message}`));

await out.hold();
const held: { local: boolean; remote: boolean } = out.isOnHold();
if (held.local) await out.unhold();
out.mute();
const muted: boolean = out.isMuted().audio;
out.unmute();
await out.sendDTMF('1234#', { duration: 100, interToneGap: 500, transportType: 'RFC2833' });
await out.sendDTMF('5', { transportType: 'INFO' });
await out.sendInfo('application/x-foo', 'body');
await out.refer('sip:200@sip.example.com');
await out.refer('sip:200@sip.example.com', { replaces: out2 });
await out.renegotiate({ iceRestart: true });
const established: boolean = out.isEstablished() && !out.isInProgress() && !out.isEnded();
const pc: RTCPeerConnection | null = out.connection;
const dir: 'incoming' | 'outgoing' = out.direction;
const local: string = out.local_identity.uri.user;
const started: Date | null = out.start_time;
const ended: Date | null = out.end_time;
const status: number = out.status;
const remote: MediaStream | undefined = out.remoteStream;
const q: CallQuality = await out.getStats();
console.log(q.packetsLost, q.jitter, q.audioLevel, (await out.quality()).roundTripTime);
await out.terminate();
await out2.terminate({ status_code: 486 });
out.on('autoplayfailed', (e) => log(`click to hear the call: ${e.error.message}`));

// Presence (the BLF viewer example).
const states = new Map<string, UserState>();
ua.on('userStateChanged', (user, state) => {
  states.set(user, state);
  const colour = state === 'AVAILABLE' ? 'green' : state === 'BUSY' ? 'red' : state === 'RINGING' ? 'flash' : 'grey';
  log(`${user} ${colour}`);
});
await ua.subscribeToUser('000123');
await ua.unsubscribeUser('000123');
ua.clearSubscriptions();

ua.sendMessage('sip:100@sip.example.com', 'hello');
const ok: boolean = ua.isConnected() && ua.isRegistered();
ua.terminateSessions();
await ua.unregister();
ua.stop();
direct.stop();

// Misuse is rejected.
// @ts-expect-error: no such UA event
ua.on('registred', () => {});
// @ts-expect-error: no such session event
out.on('finished', () => {});
ua.on('userStateChanged', (user, state) => {
  // @ts-expect-error: not one of the four states
  if (state === 'OFFLINE') log(user);
});
// @ts-expect-error: transportType is 'INFO' or 'RFC2833'
out.sendDTMF('1', { transportType: 'SIP' });
// @ts-expect-error: registerExpires is a number
await sipcentric.getUA({ registerExpires: '300' });
// @ts-expect-error: audio elements or selectors
await sipcentric.getUA({ audio: { remote: 42 } });
// @ts-expect-error: getUA has no callback form
sipcentric.getUA({}, () => {});
// @ts-expect-error: dial needs a target
ua.dial();
ua.on('registrationFailed', (e) => {
  // @ts-expect-error: causes are JsSIP's strings
  if (e.cause === 'Timeout') log('?');
});

export {};
