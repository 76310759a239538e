#!/usr/bin/env bash
# Whole-process timing of `vonage-onboard token alice` (stored recipe, no network) against
# `nexmo jwt:generate` from nexmo-cli (Node). Needs hyperfine; nexmo-cli is installed with npm
# into a temp dir when npm is present, and left out of the comparison otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)"; exit 2; }
cargo build --release --quiet
bin=$PWD/target/release/vonage-onboard
key=$PWD/tests/fixtures/test-key-pkcs8.pem
app=aaaaaaaa-bbbb-cccc-dddd-0123456789ab
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
export VONAGE_ONBOARD_HOME=$work/home VONAGE_APPLICATION_ID=$app VONAGE_PRIVATE_KEY_PATH=$key
"$bin" token alice >/dev/null   # store the recipe once, as a user would
runs=(-N --warmup 10 --runs "${RUNS:-200}" "$bin token alice")
if command -v npm >/dev/null && (cd "$work" && npm install --silent --no-audit --no-fund nexmo-cli >/dev/null 2>&1); then
  runs+=("node $work/node_modules/.bin/nexmo jwt:generate $key sub=alice application_id=$app")
else
  echo "nexmo-cli could not be installed: timing vonage-onboard alone"
fi
hyperfine "${runs[@]}"
