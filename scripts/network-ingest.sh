#!/usr/bin/env bash
# Keyed event ingest over a slow link to PostgreSQL: every request carries its own
# Idempotency-Key (as the SDK sends), and PostgreSQL is reached through scripts/delay-proxy.py,
# which adds DELAY_MS each way (2 ms per round trip by default). One instance, then two instances
# on the same database side by side (each behind its own wrk with half the connections), each run
# DURATION long. Prints events/s of each, the ratio two / one, and the CPU that each party used
# during the run (from /proc: the instances, PostgreSQL's backends for the run's database, the
# proxy, wrk), which says what bounds the run on a machine that hosts all of them.
#
#   scripts/network-ingest.sh                      # a throwaway PostgreSQL on loopback
#   DELAY_MS=0.5 DURATION=15s scripts/network-ingest.sh
#   INTAKE_BIN=/tmp/older-intake scripts/network-ingest.sh   # the same for another build
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-10s}
# Whole seconds: the CPU shares are read over the run less its first and last second.
[[ "$DURATION" =~ ^[0-9]+s$ ]] && [ "${DURATION%s}" -ge 3 ] || { echo "DURATION must be whole seconds, at least 3s (e.g. 10s)" >&2; exit 2; }
DELAY_MS=${DELAY_MS:-1}
PORT=${PORT:-18170}
PROXY_PORT=${PROXY_PORT:-54400}
require_wrk
intake_release_binary

base=$(scripts/throwaway-postgres.sh)
admin=${base%/*}/postgres?sslmode=disable
workdir=$(mktemp -d)
pids=""
trap 'kill $pids 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$workdir"' EXIT
python3 scripts/delay-proxy.py --listen "$PROXY_PORT" --target 127.0.0.1:54329 --delay-ms "$DELAY_MS" &
proxy_pid=$!
pids="$pids $proxy_pid"
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$PROXY_PORT") 2>/dev/null && break; sleep 0.1; done

ticks() { # the CPU time, in clock ticks, of the processes $@ (those that still run)
  for pid in "$@"; do awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null; done | awk '{s += $1} END {print s + 0}'
}

run() { # instances
  local instances=$1 database="ingest_$1_$$"
  psql "$admin" -qc "CREATE DATABASE $database" >/dev/null
  local url="postgres://postgres@127.0.0.1:$PROXY_PORT/$database?sslmode=disable"
  intake_create_client "$url"
  local servers=""
  for index in $(seq "$instances"); do
    SERVE_ARGUMENTS="--no-bootstrap-client --issuer http://intake.test" \
      intake_serve $((PORT + index)) "$url" "$workdir/server-$instances-$index.log"
    servers="$servers $server_pid"
  done
  local token
  token=$(intake_token "http://127.0.0.1:$((PORT + 1))" "$client_id" "$client_secret")
  local waits=""
  for index in $(seq "$instances"); do
    INTAKE_TOKEN=$token INTAKE_IDEMPOTENCY_KEYS=1 wrk -t1 -c$((CONNECTIONS / instances)) -d"$DURATION" --latency \
      -s scripts/wrk/event.lua "http://127.0.0.1:$((PORT + index))/v2/event" > "$workdir/wrk-$instances-$index" &
    waits="$waits $!"
  done
  # Backends are opened as the load grows: those that exist a second in, counted from then.
  sleep 1
  local backends
  backends=$(pgrep -f "postgres: .* $database " | tr '\n' ' ')
  # shellcheck disable=SC2086
  local before="$(ticks $servers) $(ticks $backends) $(ticks $proxy_pid) $(ticks $waits)"
  local measured=$(( ${DURATION%s} - 2 ))
  sleep "$measured"
  # shellcheck disable=SC2086
  echo "$before $(ticks $servers) $(ticks $backends) $(ticks $proxy_pid) $(ticks $waits) $measured" \
    > "$workdir/cpu-$instances"
  # shellcheck disable=SC2086
  wait $waits
  # shellcheck disable=SC2086
  kill $servers; wait $servers 2>/dev/null || true
}

run 1
run 2
python3 - "$workdir" "$DELAY_MS" "$DURATION" <<'PY'
import glob, re, sys
workdir, delay, duration = sys.argv[1:4]
def total(instances):
    rate, non2xx = 0.0, 0
    for path in glob.glob(f"{workdir}/wrk-{instances}-*"):
        text = open(path).read()
        rate += float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
        found = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
        non2xx += int(found.group(1)) if found else 0
    return rate, non2xx
def cpu(instances):
    values = [float(v) for v in open(f"{workdir}/cpu-{instances}").read().split()]
    before, after, seconds = values[0:4], values[4:8], values[8]
    share = [(a - b) / 100 / seconds for a, b in zip(after, before)]  # cores busy, 100 ticks a second
    names = ["intake", "PostgreSQL backends", "proxy", "wrk"]
    return ", ".join(f"{name} {value:.2f}" for name, value in zip(names, share)) + f" (of 2 cores: {sum(share):.2f})"
one, two = total(1), total(2)
print(f"keyed POST /v2/event, PostgreSQL behind {delay} ms each way, {duration} per run")
print(f"  one instance:  {one[0]:.0f}/s (non-2xx {one[1]}); cores busy: {cpu(1)}")
print(f"  two instances: {two[0]:.0f}/s (non-2xx {two[1]}), {two[0] / one[0]:.2f} x one; cores busy: {cpu(2)}")
PY
