#!/usr/bin/env bash
# Proves the README's quick start on a clean clone: `npm start` with no
# configuration runs embedded Herald, prints a demo URL with a token, becomes
# ready, and streams an operation to a real SSE client. Called by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/../.."

PORT="${QUICKSTART_PORT:-3977}"
DATA_DIR="$(mktemp -d)"
LOG="$(mktemp)"
# npm start runs node as a grandchild: stop the whole process group, or the server outlives this script.
cleanup() {
  if [ -n "${PID:-}" ]; then
    kill -TERM -- "-$PID" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 -- "-$PID" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$PID" 2>/dev/null || true
  fi
  rm -rf "$DATA_DIR" "$LOG"
}
trap cleanup EXIT

# Exactly the quick start, minus the shared environment: no database or Redis URL, no secret.
setsid env -u DATABASE_URL -u REDIS_URL -u JWT_SECRET -u JWT_PUBLIC_KEY -u HERALD_ROLE \
  PORT="$PORT" HERALD_DATA_DIR="$DATA_DIR" LOG_LEVEL=warn npm start >"$LOG" 2>&1 &
PID=$!

for _ in $(seq 1 120); do
  if grep -q 'Herald is running: http' "$LOG" && curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null; then break; fi
  if ! kill -0 "$PID" 2>/dev/null; then echo "npm start exited:"; cat "$LOG"; exit 1; fi
  sleep 1
done
curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null || { echo "not ready after 120 s:"; cat "$LOG"; exit 1; }

TOKEN="$(grep -o 'Herald is running: http[^ ]*?token=[^ ]*' "$LOG" | head -1 | sed 's/.*token=//')"
[ -n "$TOKEN" ] || { echo "no demo URL with a token was printed:"; cat "$LOG"; exit 1; }
grep 'Herald is running' "$LOG" | head -1 | cut -c1-80
node dist/test/quickstart/run-operation.js "http://127.0.0.1:$PORT" "$TOKEN"
