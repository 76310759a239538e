// Vonage's JavaScript Client SDK against `vonage-onboard sandbox` (run by tests/client_sdk.rs).
// Each scenario gets its own VonageClient; the long ones run at the same time. Prints one
// JSON line of what it saw; the Rust test judges it.
import { VonageClient } from '@vonage/client-sdk';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const url = env('SANDBOX_URL');
const config = {
  apiUrl: url,
  websocketUrl: url,
  websocketPath: '/v2/rtc',
  rtcStatsTelemetry: false,
  loggingLevel: 'Silent',
};
const newClient = () => new VonageClient(config);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const within = (ms, what, promise) =>
  Promise.race([promise, sleep(ms).then(() => { throw new Error(`${what}: no answer within ${ms} ms`); })]);
const codeOf = async (promise) => {
  try {
    await promise;
    return 'resolved';
  } catch (e) {
    return e?.code ?? String(e);
  }
};
// The sandbox's answer to a refresh of session `id`: 200 while it is open, 404 once gone.
const refreshStatus = async (id, token) =>
  (await fetch(`${url}/v0.2/sessions/${id}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: '""',
  })).status;

async function login() {
  const client = newClient();
  const id = await within(10000, 'createSession', client.createSession(env('ALICE_TOKEN')));
  const me = await within(10000, 'getUser', client.getUser('me'));
  const refreshed = await codeOf(within(10000, 'refreshSession', client.refreshSession(env('ALICE_TOKEN_2'))));
  const openBeforeDelete = await refreshStatus(id, env('ALICE_TOKEN'));
  const deleted = await codeOf(within(10000, 'deleteSession', client.deleteSession()));
  await sleep(500);
  const afterDelete = await refreshStatus(id, env('ALICE_TOKEN'));
  return { id, me: { id: me.id, name: me.name }, refreshed, openBeforeDelete, deleted, afterDelete };
}

async function refusals() {
  const attempt = (token) => codeOf(within(15000, 'createSession', newClient().createSession(token)));
  const [expired, otherKey, unknownUser] = await Promise.all([
    attempt(env('EXPIRED_TOKEN')),
    attempt(env('OTHER_KEY_TOKEN')),
    attempt(env('UNKNOWN_USER_TOKEN')),
  ]);
  return { expired, otherKey, unknownUser };
}

// A 30 s token, never refreshed: the server ends the session, the SDK says EXPIRED_TOKEN.
async function expiry() {
  const client = newClient();
  const errors = [];
  const loggedIn = Date.now();
  const ended = new Promise((resolve) =>
    client.on('sessionError', (reason) => {
      errors.push(String(reason));
      resolve();
    }));
  await within(10000, 'createSession', client.createSession(env('SHORT_TOKEN')));
  await within(60000, 'sessionError', ended);
  return { reasons: errors, afterSeconds: (Date.now() - loggedIn) / 1000, exp: Number(env('SHORT_TOKEN_EXP')) };
}

async function message() {
  const alice = newClient();
  const bob = newClient();
  const received = new Promise((resolve) =>
    bob.on('conversationEvent', (event) => {
      if (event.kind === 'message:text') resolve(event);
    }));
  await within(10000, 'alice createSession', alice.createSession(env('ALICE_TOKEN')));
  await within(10000, 'bob createSession', bob.createSession(env('BOB_TOKEN')));
  const cid = await within(10000, 'createConversation',
    alice.createConversation({ name: `chat-${Date.now()}`, displayName: 'Chat' }));
  const aliceMember = await within(10000, 'alice join', alice.joinConversation(cid));
  const bobMember = await within(10000, 'bob join', bob.joinConversation(cid));
  const bobsPage = await within(10000, 'getConversations', bob.getConversations());
  const sent = await within(10000, 'sendMessageTextEvent', alice.sendMessageTextEvent(cid, 'hello bob'));
  const event = await within(10000, 'bob receives', received);
  await sleep(500); // bob's client posts message:delivered on its own
  await Promise.all([alice.deleteSession(), bob.deleteSession()]);
  return {
    cid,
    aliceMember,
    bobMember,
    bobsConversations: bobsPage.conversations.map((c) => c.id),
    sent,
    received: {
      kind: event.kind,
      text: event.body?.text,
      conversationId: event.conversationId,
      fromMember: event.from?.memberId ?? event.from?.id ?? null,
      fromUser: event.from?.user?.name ?? null,
    },
  };
}

// The dev loop: tokens from `vonage-onboard token serve` (30 s each), refreshed 10 s before
// exp; after 75 s the session is still the same one and still open.
async function devLoop() {
  const serve = env('SERVE_URL');
  const fetchToken = async () => {
    const answer = await fetch(`${serve}/token/alice?ttl=30s`, {
      headers: { authorization: `Bearer ${env('SERVE_KEY')}` },
    });
    if (answer.status !== 200) throw new Error(`token serve answered ${answer.status}`);
    return answer.json();
  };
  const client = newClient();
  const errors = [];
  client.on('sessionError', (reason) => errors.push(String(reason)));
  let token = await fetchToken();
  // The lifetime the token itself carries (exp − iat), not exp against this clock, which
  // reads 29 when a second boundary passes between minting and here.
  const claims = JSON.parse(Buffer.from(token.token.split('.')[1], 'base64url').toString());
  const ttl = claims.exp - claims.iat;
  const id = await within(10000, 'createSession', client.createSession(token.token));
  const started = Date.now();
  const run = 75000;
  let refreshes = 0;
  for (;;) {
    const refreshAt = token.exp * 1000 - 10000;
    const left = started + run - Date.now();
    if (refreshAt - Date.now() >= left) {
      await sleep(Math.max(0, left));
      break;
    }
    await sleep(Math.max(0, refreshAt - Date.now()));
    token = await fetchToken();
    await within(10000, 'refreshSession', client.refreshSession(token.token));
    refreshes += 1;
  }
  const me = await within(10000, 'getUser', client.getUser('me'));
  const stillOpen = await refreshStatus(id, token.token);
  const afterSeconds = (Date.now() - started) / 1000;
  await client.deleteSession();
  return { id, ttl, refreshes, errors, me: me.name, stillOpen, afterSeconds };
}

const scenarios = { login, refusals, expiry, message, devLoop };
const names = (process.env.SCENARIOS ?? 'login,refusals,expiry,message').split(',');
const seen = {};
await Promise.all(names.map(async (name) => {
  try {
    seen[name] = await scenarios[name]();
  } catch (e) {
    seen[name] = { error: String(e?.code ?? e?.message ?? e) };
  }
}));
console.log(JSON.stringify(seen));
process.exit(0);
