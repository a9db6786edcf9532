#!/usr/bin/env bash
# The baseline: a minimal Authlib token endpoint (Flask, gunicorn, 2 workers), measured with the same
# wrk script and connection count as scripts/load.sh measures Intake.
#
#   pip install authlib flask gunicorn && scripts/load-authlib.sh
set -euo pipefail
cd "$(dirname "$0")/.."
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-10s}
PORT=${PORT:-18081}
export BASELINE_CLIENT_ID=baseline-client BASELINE_CLIENT_SECRET=baseline-secret-0123456789abcdef
export INTAKE_BASIC=$(printf '%s:%s' "$BASELINE_CLIENT_ID" "$BASELINE_CLIENT_SECRET" | base64 -w0)
(cd Benchmarks/authlib-baseline && exec gunicorn -w 2 -b "127.0.0.1:$PORT" app:app) > /dev/null 2>&1 &
server_pid=$!
trap 'kill $server_pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -sf -u "$BASELINE_CLIENT_ID:$BASELINE_CLIENT_SECRET" -d grant_type=client_credentials \
    "http://127.0.0.1:$PORT/oauth2/token" >/dev/null && break
  sleep 0.1
done
curl -s -u "$BASELINE_CLIENT_ID:$BASELINE_CLIENT_SECRET" -d grant_type=client_credentials "http://127.0.0.1:$PORT/oauth2/token"; echo
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s scripts/wrk/token.lua "http://127.0.0.1:$PORT/oauth2/token"
