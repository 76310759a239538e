// The Node side of benches/serve.sh: the token endpoint a developer writes by hand, on
// Vonage's @vonage/jwt, doing the job `vonage-onboard token serve` does for GET /token/USER:
// check the access key (constant time), check the user is known, mint a token with the same
// claims (sub, acl, exp = now + ttl, application_id, a fresh jti) and answer the same JSON.
// Env: APP_ID, KEY_FILE (PEM), ACL_FILE (JSON), USERS (comma-separated), TTL (seconds).
import { createServer } from "node:http";
import { randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { tokenGenerate } from "@vonage/jwt";

const appId = process.env.APP_ID;
const privateKey = readFileSync(process.env.KEY_FILE);
const acl = JSON.parse(readFileSync(process.env.ACL_FILE, "utf8"));
const users = new Set((process.env.USERS || "alice").split(","));
const ttl = Number(process.env.TTL || 86400);
const key = Buffer.from(randomBytes(24).toString("base64url"));

function answer(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function keyMatches(header) {
  const given = Buffer.from((header || "").replace(/^Bearer /i, ""));
  return given.length === key.length && timingSafeEqual(given, key);
}

const server = createServer((req, res) => {
  if (!keyMatches(req.headers.authorization)) return answer(res, 401, { error: "wrong access key" });
  const match = /^\/token\/([^/?]+)/.exec(req.url);
  if (req.method !== "GET" || !match) return answer(res, 404, { error: "no such path" });
  const user = decodeURIComponent(match[1]);
  if (!users.has(user)) return answer(res, 404, { error: "unknown user" });
  // exp given (later than now) is used as is: the same `now + ttl` token serve writes.
  const exp = Math.floor(Date.now() / 1000) + ttl;
  const token = tokenGenerate(appId, privateKey, { sub: user, acl, exp, jti: randomUUID() });
  answer(res, 200, {
    user,
    token,
    application_id: appId,
    exp,
    expires_at: new Date(exp * 1000).toISOString().replace(/\.\d{3}Z$/, "Z"),
    ttl,
  });
});

server.listen(0, "127.0.0.1", () => {
  console.log(`url: http://127.0.0.1:${server.address().port}`);
  console.log(`key: ${key}`);
  console.log(`application_id: ${appId}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
