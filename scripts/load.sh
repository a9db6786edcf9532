#!/usr/bin/env bash
# Load test: GET /health, POST /oauth2/token and POST /v2/event against one release-build server,
# in one run, with wrk (Debian package `wrk`) sharing the machine.
#
#   scripts/load.sh                 # 64 connections, 10 s per endpoint, HS256 tokens
#   scripts/load.sh ES256           # tokens signed ES256 (or RS256, EdDSA; env ALG is the same)
#   CONNECTIONS=128 DURATION=20s scripts/load.sh
#   INTAKE_BIN=.build/debug/intake scripts/load.sh   # another binary
#   DATABASE=$(scripts/throwaway-postgres.sh) scripts/load.sh   # on PostgreSQL
#
# Prints one line per endpoint (requests/s, p50, p99, non-2xx) and each rate as a share of /health's.
# "event+key" sends every event with its own Idempotency-Key, as the SDK and `intake send` do.
# "token+churn" repeats the token run while the CLI changes the client registry 4 times a second
# (each change makes the server reload the registry), to show what live changes cost.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
DURATION=${DURATION:-10s}
PORT=${PORT:-18080}
DATABASE=${DATABASE:-}
ALG=${1:-${ALG:-HS256}}
require_wrk
intake_release_binary

workdir=$(mktemp -d)
trap 'kill "${server_pid:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$workdir"' EXIT
database=${DATABASE:-$workdir/intake.sqlite}

intake_create_client "$database"
SERVE_ARGUMENTS="--signing-alg $ALG" intake_serve "$PORT" "$database" "$workdir/server.log"
if [ -n "$DATABASE" ]; then "$INTAKE_BIN" keys rotate --alg "$ALG" --database "$database" >/dev/null; sleep 2; fi

export INTAKE_BASIC=$(printf '%s:%s' "$client_id" "$client_secret" | base64 -w0)
export INTAKE_TOKEN=$(intake_token "http://127.0.0.1:$PORT" "$client_id" "$client_secret")

# Warm up, then measure each endpoint in turn.
wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "http://127.0.0.1:$PORT/health" >/dev/null

run() { # name, wrk arguments...
  local name=$1; shift
  local output
  output=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@")
  echo "$output" > "$workdir/$name.wrk"
  python3 - "$name" "$workdir/$name.wrk" <<'PY'
import re, sys
name, path = sys.argv[1], sys.argv[2]
text = open(path).read()
rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
def latency(p):
    m = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s)" % p, text, re.M)
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
errors = re.search(r"Socket errors: (.*)", text)
print(f"{name}\t{rate:.0f}\t{latency(50):.2f}\t{latency(99):.2f}\t{non2xx.group(1) if non2xx else 0}\t{errors.group(1) if errors else 'none'}")
PY
}

results=$workdir/results.tsv
{
  run health "http://127.0.0.1:$PORT/health"
  run token -s scripts/wrk/token.lua "http://127.0.0.1:$PORT/oauth2/token"
  run event -s scripts/wrk/event.lua "http://127.0.0.1:$PORT/v2/event"
  INTAKE_IDEMPOTENCY_KEYS=1 run event+key -s scripts/wrk/event.lua "http://127.0.0.1:$PORT/v2/event"
  ( while true; do
      "$INTAKE_BIN" clients create --name churn --database "$database" >/dev/null 2>&1
      sleep 0.25
    done ) &
  churn_pid=$!
  run token+churn -s scripts/wrk/token.lua "http://127.0.0.1:$PORT/oauth2/token"
  kill "$churn_pid"
} > "$results"

case "$database" in
  postgres://*|postgresql://*) storage="PostgreSQL" ;;
  *) storage="SQLite (synchronous=FULL)" ;;
esac
python3 - "$results" "$CONNECTIONS" "$DURATION" "$storage" "$ALG" <<'PY'
import sys
rows = [line.split("\t") for line in open(sys.argv[1]).read().strip().splitlines()]
health = float(rows[0][1])
print(f"wrk, {sys.argv[2]} connections, {sys.argv[3]} per endpoint, one server, {sys.argv[4]}, tokens {sys.argv[5]}")
print(f"{'endpoint':<11} {'req/s':>9} {'of /health':>10} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}  socket errors")
for name, rate, p50, p99, non2xx, errors in rows:
    print(f"{name:<11} {float(rate):>9.0f} {float(rate) / health:>9.0%} {float(p50):>8.2f} {float(p99):>8.2f} {non2xx:>8}  {errors}")
PY
