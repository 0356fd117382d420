// The softphone example: a phone in a web page on the wasmphone library.
//
// Log in with a portal login (the library finds the SIP account of your
// default extension through the REST API) or with a SIP account; the phone
// registers, dials, answers incoming calls by itself, holds, mutes, sends
// DTMF, and logs what happens. The library plays the call in the <audio>
// element given to getUA.
//
// Served from web/ by any static server at /examples/softphone/. By default
// it expects the REST API at /api/v1 and SIP over WebSocket at /ws of the
// page's own host (as the development PBX serves them); the form can point
// elsewhere. For debugging, window.softphone shows the UA, the current
// session and the page's state.

import { Sipcentric } from '../../index.mjs';

const $ = (id) => document.getElementById(id);

const el = {
  indicator: $('indicator'),
  statusText: $('status-text'),
  login: $('login'),
  loginError: $('login-error'),
  loginButton: $('login-button'),
  username: $('username'),
  password: $('password'),
  baseUrl: $('base-url'),
  wsServer: $('ws-server'),
  sipAccount: $('sip-account'),
  sipUsername: $('sip-username'),
  sipPassword: $('sip-password'),
  sipDomain: $('sip-domain'),
  phone: $('phone'),
  account: $('account'),
  logout: $('logout'),
  callStatus: $('call-status'),
  dialer: $('dialer'),
  number: $('number'),
  dial: $('dial'),
  hangup: $('hangup'),
  hold: $('hold'),
  mute: $('mute'),
  keypad: $('keypad'),
  remoteAudio: $('remote-audio'),
  log: $('log'),
};

// Everything the buttons depend on. Only event listeners and the results
// of the library's promises change it; render() draws it.
const state = {
  ua: null, // the UA once logged in
  loggingIn: false,
  registered: false,
  session: null, // the current call, from newRTCSession until ended or failed
  peer: '', // who the call is with
  incoming: false, // the call came in
  dialling: false, // ua.dial() has not settled yet
  confirmed: false, // the call is up
  held: false, // we put the call on hold
  holdPending: false, // a hold or unhold is in flight
  hangingUp: false,
  muted: false,
};

const MAX_LOG_LINES = 500;

/** Appends a line to the log on the page. */
function log(text) {
  const li = document.createElement('li');
  const time = document.createElement('time');
  const now = new Date();
  time.dateTime = now.toISOString();
  time.textContent = now.toLocaleTimeString();
  const msg = document.createElement('span');
  msg.className = 'msg';
  msg.textContent = text;
  li.append(time, ' ', msg);
  el.log.append(li);
  while (el.log.children.length > MAX_LOG_LINES) el.log.firstElementChild.remove();
  li.scrollIntoView?.({ block: 'nearest' });
}

/** What went wrong, in one line: the message and, for the REST API, the HTTP status. */
function describe(err) {
  if (!err) return 'unknown error';
  const message = err.message || String(err);
  if (err.statusCode && !message.includes(String(err.statusCode))) return `${message} (HTTP ${err.statusCode})`;
  return message;
}

function render() {
  const loggedIn = state.ua !== null;
  const inCall = state.dialling || state.session !== null;

  el.indicator.classList.toggle('registered', state.registered);
  el.statusText.textContent = state.registered ? 'Registered' : 'Not Registered';

  el.login.hidden = loggedIn;
  el.phone.hidden = !loggedIn;
  el.loginButton.disabled = state.loggingIn || loggedIn;
  el.loginButton.textContent = state.loggingIn ? 'Logging in…' : 'Log in';

  el.dial.disabled = !loggedIn || inCall || el.number.value.trim() === '';
  el.hangup.disabled = state.session === null || state.hangingUp;
  el.hold.disabled = state.session === null || !state.confirmed || state.holdPending;
  el.hold.textContent = state.held ? 'Unhold' : 'Hold';
  el.mute.disabled = state.session === null || !state.confirmed;
  el.mute.textContent = state.muted ? 'Unmute' : 'Mute';
  // The keypad types the number when idle and sends DTMF during a call.
  const keypadOn = !inCall || (state.session !== null && state.confirmed);
  for (const b of el.keypad.querySelectorAll('button')) b.disabled = !keypadOn;

  let status = 'No call';
  if (state.session !== null) {
    if (state.confirmed) status = `In call with ${state.peer}${state.held ? ' (on hold)' : ''}`;
    else status = state.incoming ? `Incoming call from ${state.peer}` : `Calling ${state.peer}…`;
  } else if (state.dialling) {
    status = `Calling ${state.peer}…`;
  }
  el.callStatus.textContent = status;
}

// ---- logging in and out ---------------------------------------------------

function showLoginError(text) {
  el.loginError.textContent = text;
  el.loginError.hidden = !text;
}

async function login(event) {
  event.preventDefault();
  if (state.loggingIn || state.ua) return;
  showLoginError('');
  const username = el.username.value.trim();
  const password = el.password.value;
  const baseUrl = el.baseUrl.value.trim();
  const wsServer = el.wsServer.value.trim();
  const sipUsername = el.sipUsername.value.trim();
  const sipPassword = el.sipPassword.value;
  const sipDomain = el.sipDomain.value.trim();

  const sipGiven = sipUsername !== '' || sipPassword !== '';
  if (sipGiven && (sipUsername === '' || sipPassword === '')) {
    el.sipAccount.open = true;
    showLoginError('Enter both the SIP username and the SIP password, or neither.');
    return;
  }
  if (!sipGiven && (username === '' || password === '')) {
    showLoginError('Enter your portal username and password, or a SIP username and password.');
    return;
  }
  if (!/^wss?:\/\/./i.test(wsServer)) {
    showLoginError('The SIP WebSocket URL must start with ws:// or wss://.');
    return;
  }
  if (!sipGiven && !/^https?:\/\/./i.test(baseUrl)) {
    showLoginError('The API base URL must start with http:// or https://.');
    return;
  }

  state.loggingIn = true;
  render();
  log(sipGiven ? `logging in as SIP user ${sipUsername}` : `logging in as ${username}`);
  let ua;
  try {
    const sipcentric = new Sipcentric({ username, password, baseUrl });
    const config = { register: true, wsServer, audio: { remote: el.remoteAudio } };
    if (sipGiven) {
      config.username = sipUsername;
      config.password = sipPassword;
    }
    if (sipDomain !== '') config.domain = sipDomain;
    ua = await sipcentric.getUA(config);
  } catch (err) {
    log(`login failed: ${describe(err)}`);
    showLoginError(`Login failed: ${describe(err)}`);
    return;
  } finally {
    state.loggingIn = false;
    render();
  }
  // The UA starts once this function yields: listen first.
  watchUA(ua);
  state.ua = ua;
  el.password.value = '';
  el.sipPassword.value = '';
  el.account.textContent = ua.uri;
  log(`phone ${ua.uri} is connecting to ${wsServer}`);
  render();
  el.number.focus();
}

async function logout() {
  const ua = state.ua;
  if (!ua) return;
  Object.assign(state, {
    ua: null, registered: false, session: null, peer: '', dialling: false, confirmed: false,
    held: false, holdPending: false, hangingUp: false, muted: false,
  });
  render();
  try {
    await ua.stop();
    log('logged out');
  } catch (err) {
    log(`stopping the phone failed: ${describe(err)}`);
  }
  el.username.focus();
}

// ---- the UA's events ------------------------------------------------------

function watchUA(ua) {
  // Listeners of a UA that was logged out since do nothing.
  const current = () => state.ua === ua;
  ua.on('registered', () => {
    if (!current()) return;
    state.registered = true;
    log('phone registered');
    render();
  });
  ua.on('unregistered', () => {
    if (!current()) return;
    state.registered = false;
    log('phone unregistered');
    render();
  });
  ua.on('registrationFailed', (e) => {
    if (!current()) return;
    state.registered = false;
    log(`phone registration failed: ${e.cause}`);
    render();
  });
  // Connection changes are logged once each, not at every retry.
  let connected = null;
  ua.on('connected', () => {
    if (!current()) return;
    if (connected === false) log('connected to the SIP server again');
    connected = true;
  });
  ua.on('disconnected', () => {
    if (!current()) return;
    state.registered = false;
    if (connected === true) log('lost the connection to the SIP server, reconnecting');
    else if (connected === null) log('cannot reach the SIP server, retrying');
    connected = false;
    render();
  });
  ua.on('newRTCSession', ({ originator, session, request }) => {
    if (!current()) return;
    if (originator === 'local') {
      watchSession(session, state.peer, false);
      return;
    }
    log('new incoming call');
    const from = request?.from;
    const peer = from?.display_name || from?.uri?.user || 'unknown caller';
    if (state.session !== null || state.dialling) {
      log(`refused a call from ${peer}: already in a call`);
      session.terminate({ status_code: 486 }).catch((err) => log(`refusing the call failed: ${describe(err)}`));
      return;
    }
    watchSession(session, peer, true);
    // Incoming calls are answered straight away, as the original softphone did.
    setTimeout(() => {
      session.answer().catch((err) => log(`answering the call failed: ${describe(err)}`));
    }, 0);
  });
}

// watchSession makes session the current call. Its listeners only read and
// write state (no calls into the library while it emits).
function watchSession(session, peer, incoming) {
  Object.assign(state, { session, peer, incoming, confirmed: false, held: false, holdPending: false, hangingUp: false, muted: false });
  const current = () => state.session === session;
  const finish = () => {
    if (!current()) return;
    Object.assign(state, { session: null, confirmed: false, held: false, holdPending: false, hangingUp: false, muted: false });
    render();
  };
  session.on('progress', (e) => {
    if (current() && e.originator === 'remote') log('ringing');
  });
  session.on('confirmed', () => {
    if (!current()) return;
    state.confirmed = true;
    log('call confirmed');
    render();
  });
  session.on('ended', (e) => {
    log(`call ended with cause: ${e.cause}`);
    finish();
  });
  session.on('failed', (e) => {
    log(`call failed with cause: ${e.cause}`);
    finish();
  });
  session.on('hold', (e) => {
    if (!current()) return;
    if (e.originator === 'local') {
      state.held = true;
      log('call is on hold');
    } else {
      log('the other party put the call on hold');
    }
    render();
  });
  session.on('unhold', (e) => {
    if (!current()) return;
    if (e.originator === 'local') {
      state.held = false;
      log('call is off hold');
    } else {
      log('the other party took the call off hold');
    }
    render();
  });
  session.on('muted', () => {
    if (!current()) return;
    state.muted = true;
    log('microphone muted');
    render();
  });
  session.on('unmuted', () => {
    if (!current()) return;
    state.muted = false;
    log('microphone unmuted');
    render();
  });
  session.on('getusermediafailed', () => log('no access to the microphone'));
  session.on('autoplayfailed', () => {
    log('the browser blocked the call audio: click the page to hear it');
    document.addEventListener('click', () => el.remoteAudio.play().catch(() => {}), { once: true });
  });
  render();
}

// ---- the buttons ------------------------------------------------------------

async function dial(event) {
  event.preventDefault();
  const target = el.number.value.trim();
  if (!state.ua || target === '' || state.dialling || state.session !== null) return;
  Object.assign(state, { dialling: true, peer: target });
  render();
  log(`dialling ${target}`);
  try {
    await state.ua.dial(target);
  } catch (err) {
    log(`call failed: ${describe(err)}`);
  } finally {
    state.dialling = false;
    render();
  }
}

async function hangup() {
  const session = state.session;
  if (!session || state.hangingUp) return;
  state.hangingUp = true;
  render();
  try {
    await session.terminate();
  } catch (err) {
    log(`hanging up failed: ${describe(err)}`);
  } finally {
    if (state.session === session) state.hangingUp = false;
    render();
  }
}

async function toggleHold() {
  const session = state.session;
  if (!session || !state.confirmed || state.holdPending) return;
  const unhold = state.held;
  state.holdPending = true;
  render();
  try {
    await (unhold ? session.unhold() : session.hold());
    if (state.session === session) state.held = !unhold;
  } catch (err) {
    log(`${unhold ? 'unhold' : 'hold'} failed: ${describe(err)}`);
  } finally {
    if (state.session === session) state.holdPending = false;
    render();
  }
}

function toggleMute() {
  const session = state.session;
  if (!session || !state.confirmed) return;
  const muting = !state.muted;
  if (muting) session.mute();
  else session.unmute();
  state.muted = muting;
  render();
}

function key(event) {
  const button = event.target.closest('button[data-tone]');
  if (!button || button.disabled) return;
  const tone = button.dataset.tone;
  const session = state.session;
  if (session !== null && state.confirmed) {
    session.sendDTMF(tone).then(
      () => log(`sent DTMF ${tone}`),
      (err) => log(`sending DTMF failed: ${describe(err)}`),
    );
  } else if (session === null && !state.dialling) {
    el.number.value += tone;
    render();
  }
}

// ---- start ------------------------------------------------------------------

el.baseUrl.value = `${location.origin}/api/v1`;
el.wsServer.value = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
el.login.addEventListener('submit', login);
el.logout.addEventListener('click', logout);
el.dialer.addEventListener('submit', dial);
el.number.addEventListener('input', render);
el.hangup.addEventListener('click', hangup);
el.hold.addEventListener('click', toggleHold);
el.mute.addEventListener('click', toggleMute);
el.keypad.addEventListener('click', key);
// Unregister when the page goes away (best effort).
addEventListener('pagehide', () => state.ua?.stop().catch(() => {}));

globalThis.softphone = {
  get ua() { return state.ua; },
  get session() { return state.session; },
  get state() { return { ...state, ua: undefined, session: undefined }; },
};

render();
el.username.focus();
