#!/usr/bin/env bash
# Where the server spends its CPU on one endpoint: `perf record -g` on a release-build server while
# wrk loads it, then the heaviest symbols, self and with their callees.
#
#   scripts/profile.sh event                # POST /v2/event on SQLite (or: health, token, event+key)
#   DATABASE=$(scripts/throwaway-postgres.sh) scripts/profile.sh event+key
#   PERF_DATA=/tmp/event.perf scripts/profile.sh event   # keep the recording for `perf report -i`
#
# Needs wrk and perf (Debian packages `wrk`, `linux-perf`) and a kernel that lets perf sample
# (`perf_event_paranoid` ≤ 1, or root). Release builds keep their symbols, so the report names
# Swift functions (`swift demangle --simplified` is applied).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ENDPOINT=${1:-event}
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-10}
PORT=${PORT:-18090}
DATABASE=${DATABASE:-}
require_wrk
command -v perf >/dev/null || { echo "perf is missing: apt-get install -y linux-perf" >&2; exit 1; }
intake_release_binary

workdir=$(mktemp -d)
trap 'kill "${server_pid:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$workdir"' EXIT
database=${DATABASE:-$workdir/intake.sqlite}
perf_data=${PERF_DATA:-$workdir/perf.data}

intake_create_client "$database"
intake_serve "$PORT" "$database" "$workdir/server.log"
export INTAKE_BASIC=$(printf '%s:%s' "$client_id" "$client_secret" | base64 -w0)
export INTAKE_TOKEN=$(intake_token "http://127.0.0.1:$PORT" "$client_id" "$client_secret")

case "$ENDPOINT" in
  health) path=/health; script=() ;;
  token) path=/oauth2/token; script=(-s scripts/wrk/token.lua) ;;
  event) path=/v2/event; script=(-s scripts/wrk/event.lua) ;;
  event+key) path=/v2/event; script=(-s scripts/wrk/event.lua); export INTAKE_IDEMPOTENCY_KEYS=1 ;;
  *) echo "unknown endpoint $ENDPOINT: health, token, event or event+key" >&2; exit 2 ;;
esac

wrk -t2 -c"$CONNECTIONS" -d2s "${script[@]}" "http://127.0.0.1:$PORT$path" >/dev/null
wrk -t2 -c"$CONNECTIONS" -d"$((DURATION + 2))s" "${script[@]}" "http://127.0.0.1:$PORT$path" > "$workdir/wrk.txt" &
wrk_pid=$!
sleep 1
perf record -q -g -F 999 -p "$server_pid" -o "$perf_data" -- sleep "$DURATION" 2>/dev/null
wait "$wrk_pid"
grep -E "Requests/sec|Non-2xx" "$workdir/wrk.txt"

report() { # lines, perf report options...: the heaviest entries, Swift names demangled
  local lines=$1; shift
  # `head` closing the pipe early stops perf with SIGPIPE: not a failure.
  perf report -i "$perf_data" --stdio "$@" 2>/dev/null | grep -E '^ +[0-9]' | head -"$lines" | swift demangle --simplified || true
}
echo "== self time, by thread (NIO-SGLTN-*: event loops; *root.default-qos: Swift Concurrency's pool; *qos.overcommit: GRDB's writer)"
report 8 --no-children --sort comm
echo "== self time, by shared object"
report 12 --no-children --sort dso
echo "== self time, by symbol"
report 40 --no-children --sort symbol -g none
echo "== with callees (children), by symbol"
report 60 --children --sort symbol -g none
