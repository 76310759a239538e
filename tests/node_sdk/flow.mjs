// Vonage's own Node SDK against `vonage-onboard sandbox`, given only the base URL.
//
// Reads SANDBOX_URL, API_KEY and API_SECRET from the environment, runs an onboarding flow
// with @vonage/applications and @vonage/users (their `apiHost` client option is the only
// thing pointed at the sandbox), prints one JSON line of what it saw and exits 0; on any
// error prints `error: ...` (with the failed request and the answer's body when there was
// one) to stderr and exits 1. Run by tests/node_sdk.rs.

import { generateKeyPairSync } from 'node:crypto';
import { Applications } from '@vonage/applications';
import { Users } from '@vonage/users';

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set`);
  }
  return value;
};

// Every request is bounded by the SDK's own timeout; the whole run by this one.
const RUN_TIMEOUT_MS = 40_000;
const REQUEST_TIMEOUT_MS = 10_000;

const fail = async (error) => {
  let detail = error?.message ?? String(error);
  const request = error?.config;
  if (request?.method || request?.url) {
    detail += ` (${request.method} ${request.url})`;
  }
  const response = error?.response;
  if (response && typeof response.text === 'function') {
    try {
      detail += `: ${response.headers.get('content-type')} ${await response.text()}`;
    } catch {
      // the body was already read or is gone; the status line is still useful
    }
  }
  process.stderr.write(`error: ${detail}\n`);
  if (error?.stack) {
    process.stderr.write(`${error.stack}\n`);
  }
  process.exit(1);
};

const check = (condition, what) => {
  if (!condition) {
    throw new Error(`unexpected answer: ${what}`);
  }
};

/** The HTTP status of an SDK call that is expected to fail. */
const statusOf = async (promise) => {
  try {
    await promise;
  } catch (error) {
    if (error?.response?.status) {
      return error.response.status;
    }
    throw error;
  }
  return 200;
};

const collect = async (iterator) => {
  const items = [];
  for await (const item of iterator) {
    items.push(item);
  }
  return items;
};

const rtcAndVoice = {
  rtc: {
    webhooks: {
      eventUrl: { address: 'https://example.com/rtc/event', httpMethod: 'POST' },
    },
  },
  voice: {
    webhooks: {
      answerUrl: { address: 'https://example.com/voice/answer', httpMethod: 'GET' },
      eventUrl: { address: 'https://example.com/voice/event', httpMethod: 'POST' },
    },
  },
};

async function main() {
  const apiHost = env('SANDBOX_URL');
  const options = { apiHost, timeout: REQUEST_TIMEOUT_MS };
  const credentials = { apiKey: env('API_KEY'), apiSecret: env('API_SECRET') };
  const seen = {};

  // --- Application API v2, Basic auth -------------------------------------------------
  const applications = new Applications(credentials, options);
  const before = await applications.listApplications({});
  seen.applications_before = before.totalItems;

  // No key given: the API makes the pair and returns the private half once.
  const app = await applications.createApplication({
    name: 'node-sdk-compat',
    capabilities: rtcAndVoice,
    privacy: { improveAi: false },
  });
  seen.application_id = app.id;
  seen.application_name = app.name;
  seen.has_private_key = typeof app.keys?.privateKey === 'string'
    && app.keys.privateKey.includes('PRIVATE KEY');
  seen.rtc_event_url = app.capabilities?.rtc?.webhooks?.eventUrl?.address ?? null;
  check(seen.has_private_key, `no keys.private_key in ${JSON.stringify(app)}`);

  // A second application with a public key of our own.
  const own = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const second = await applications.createApplication({
    name: 'node-sdk-compat-own-key',
    keys: { publicKey: own.publicKey },
    capabilities: { rtc: rtcAndVoice.rtc },
  });
  seen.second_application_id = second.id;
  seen.second_keeps_public_key = second.keys?.publicKey?.trim() === own.publicKey.trim();

  const fetched = await applications.getApplication(app.id);
  seen.fetched_application_name = fetched.name;

  // Paged with one application a page: the SDK walks pages while `_links.next` is there.
  const allApps = await collect(applications.listAllApplications({ pageSize: 1 }));
  seen.applications_listed = allApps.map((a) => a.id);

  // A replace that sends back what was read (id included), renamed.
  const renamed = await applications.updateApplication({ ...fetched, name: 'node-sdk-compat-renamed' });
  seen.renamed_application_name = renamed.name;

  // --- Users API, Bearer JWT signed with the application's private key ---------------
  const users = new Users(
    { ...credentials, applicationId: app.id, privateKey: app.keys.privateKey },
    options,
  );
  let pagesFetched = 0;
  const getUserPage = users.getUserPage.bind(users);
  users.getUserPage = async (params) => {
    pagesFetched += 1;
    return getUserPage(params);
  };

  const names = ['alice', 'bob', 'carol', 'dave', 'erin'];
  const created = [];
  for (const name of names) {
    created.push(await users.createUser({
      name,
      displayName: name[0].toUpperCase() + name.slice(1),
      properties: { customData: { team: 'compat' } },
    }));
  }
  seen.user_ids = created.map((u) => u.id);
  seen.created_custom_data = created[0].properties?.customData ?? null;

  // Five users, two a page: three pages, reached through `_links.next.href`.
  const listed = await collect(users.listAllUsers({ pageSize: 2 }));
  seen.users_listed = listed.map((u) => u.name);
  seen.user_pages_fetched = pagesFetched;

  const firstPage = await users.getUserPage({ pageSize: 2 });
  seen.first_page_next_href = firstPage._links?.next?.href ?? null;

  const byName = await collect(users.listAllUsers({ name: 'carol' }));
  seen.users_named_carol = byName.map((u) => u.id);

  const carol = await users.getUser('carol');
  seen.carol_by_name_id = carol.id;
  const carolById = await users.getUser(carol.id);
  seen.carol_by_id_name = carolById.name;

  // The SDK patches with the whole user it read (its unchanged name included).
  const patched = await users.updateUser({ ...carol, displayName: 'Carol C.' });
  seen.patched_display_name = patched.displayName;

  seen.duplicate_name_status = await statusOf(users.createUser({ name: 'alice' }));

  const bob = created[1];
  await users.deleteUser(bob.id);
  seen.deleted_user_lookup_status = await statusOf(users.getUser(bob.id));
  pagesFetched = 0;
  const after = await collect(users.listAllUsers({ pageSize: 2 }));
  seen.users_after_delete = after.map((u) => u.name);
  seen.user_pages_after_delete = pagesFetched;

  // Users belong to an application: a token of the second one sees none of them.
  const otherUsers = new Users(
    { ...credentials, applicationId: second.id, privateKey: own.privateKey },
    options,
  );
  const frank = await otherUsers.createUser({ name: 'frank' });
  seen.second_app_users = (await collect(otherUsers.listAllUsers({ pageSize: 1 })))
    .map((u) => u.name);
  seen.second_app_user_id = frank.id;

  // A token signed with the wrong key is refused.
  const forged = new Users(
    { ...credentials, applicationId: app.id, privateKey: own.privateKey },
    options,
  );
  seen.wrong_key_status = await statusOf(forged.getUserPage({}));

  await applications.deleteApplication(second.id);
  seen.deleted_application_lookup_status = await statusOf(applications.getApplication(second.id));
  const end = await applications.listApplications({});
  seen.applications_after = end.totalItems;

  process.stdout.write(`${JSON.stringify(seen)}\n`);
}

setTimeout(() => fail(new Error(`the flow took over ${RUN_TIMEOUT_MS} ms`)), RUN_TIMEOUT_MS).unref();
main().then(() => process.exit(0), fail);
