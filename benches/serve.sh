#!/usr/bin/env bash
# `vonage-onboard token serve` against a Node token endpoint on Vonage's @vonage/jwt
# (benches/serve_node/server.mjs), same machine, same run: tokens/s and latency (p99) of
# GET /token/alice with 16 connections for 10 s each (wrk --latency). Each server is pinned to
# one core (SERVER_CPU, default 0) and wrk to another (LOAD_CPU, default 1) with taskset.
# Needs wrk (apt-get install wrk), node and npm; @vonage/jwt is installed with `npm ci` into a
# temp dir from benches/serve_node/package-lock.json (node_modules never lands in the repo).
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in wrk node npm taskset; do
  command -v "$tool" >/dev/null || { echo "benches/serve.sh needs $tool"; exit 2; }
done
SERVER_CPU=${SERVER_CPU:-0} LOAD_CPU=${LOAD_CPU:-1} DURATION=${DURATION:-10s} CONNECTIONS=${CONNECTIONS:-16}
cargo build --release --locked --quiet
bin=$PWD/target/release/vonage-onboard
key_file=$PWD/tests/fixtures/test-key-pkcs8.pem
app=aaaaaaaa-bbbb-cccc-dddd-0123456789ab
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
export VONAGE_ONBOARD_HOME=$work/home VONAGE_APPLICATION_ID=$app VONAGE_PRIVATE_KEY_PATH=$key_file
"$bin" token alice >/dev/null   # alice becomes a known user with the default recipe (24 h, client-sdk ACL)

mkdir "$work/node"
cp benches/serve_node/package.json benches/serve_node/package-lock.json benches/serve_node/server.mjs "$work/node/"
(cd "$work/node" && npm ci --silent --no-audit --no-fund --loglevel=error >/dev/null)

# Starts a server (its banner on stdout), waits for its url: and key: lines.
start() {
  local name=$1; shift
  "$@" >"$work/$name.out" 2>"$work/$name.err" &
  pids+=($!)
  for _ in $(seq 100); do grep -q '^key: ' "$work/$name.out" 2>/dev/null && break; sleep 0.1; done
  url=$(sed -n 's/^url: //p' "$work/$name.out"); key=$(sed -n 's/^key: //p' "$work/$name.out")
  [ -n "$key" ] || { echo "$name did not start:"; cat "$work/$name.err"; exit 1; }
  # One token first, checked with the shared verifier: both serve real, valid tokens.
  curl -fsS -H "Authorization: Bearer $key" "$url/token/alice" \
    | sed -n 's/.*"token":"\([^"]*\)".*/\1/p' | "$bin" token inspect - >/dev/null \
    || { echo "$name served a token that does not verify"; exit 1; }
}

# Runs wrk against the server just started; prints its report and keeps it for the summary.
load() {
  local name=$1
  taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency \
    -H "Authorization: Bearer $key" "$url/token/alice" | tee "$work/$name.wrk"
  if grep -q "Non-2xx" "$work/$name.wrk"; then echo "$name answered errors"; exit 1; fi
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
}

echo "== vonage-onboard token serve (CPU $SERVER_CPU)"
start ours taskset -c "$SERVER_CPU" "$bin" token serve
load ours
echo "== node + @vonage/jwt $(node --version) (CPU $SERVER_CPU)"
APP_ID=$app KEY_FILE=$key_file ACL_FILE=$PWD/assets/acl/client-sdk.json USERS=alice TTL=86400 \
  start node taskset -c "$SERVER_CPU" node "$work/node/server.mjs"
load node

rps() { awk '/^Requests\/sec:/ { print $2 }' "$work/$1.wrk"; }
p99() { awk '$1 == "99%" { print $2 }' "$work/$1.wrk"; }
echo
echo "summary: token serve $(rps ours) tokens/s (p99 $(p99 ours)) · node @vonage/jwt $(rps node) tokens/s (p99 $(p99 node))" \
  "· ratio $(awk -v a="$(rps ours)" -v b="$(rps node)" 'BEGIN { printf "%.2f", a / b }')x"
