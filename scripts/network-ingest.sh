#!/usr/bin/env bash
# Keyed event ingest over a slow link to PostgreSQL: every request carries its own
# Idempotency-Key (as the SDK sends), and PostgreSQL is reached through scripts/delay-proxy.py,
# which adds DELAY_MS each way (2 ms per round trip by default). One instance, then two instances
# on the same database side by side (each behind its own wrk with half the connections), each run
# DURATION long. Prints events/s of each, the ratio two / one, the events stored against the
# answers acknowledged (a replayed key would show as fewer stored), and the CPU that each party
# used during the run (from /proc: the instances, PostgreSQL's backends for the run's database,
# the proxy, wrk), which says what bounds the run on a machine that hosts all of them.
#
# Two rounds: first with the instances sharing the machine's cores with everything else, then
# with each instance held to INSTANCE_CORES cores (default 0.5) by a CPU quota of its own, as an
# instance on a host of its own would be: on one small machine the first round measures how the
# instances split its cores, the second how the design lets instances add up. The second needs a
# writable cgroup (root, cgroup v1 `cpu` or v2 with the `cpu` controller); without one it says so
# and is skipped. INSTANCE_CORES=0 skips it.
#
#   scripts/network-ingest.sh                      # a throwaway PostgreSQL on loopback
#   DELAY_MS=0.5 DURATION=15s scripts/network-ingest.sh
#   INSTANCE_CORES=0.3 scripts/network-ingest.sh
#   INTAKE_BIN=/tmp/older-intake scripts/network-ingest.sh   # the same for another build
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-10s}
# Whole seconds: the CPU shares are read over the run less its first and last second.
[[ "$DURATION" =~ ^[0-9]+s$ ]] && [ "${DURATION%s}" -ge 3 ] || { echo "DURATION must be whole seconds, at least 3s (e.g. 10s)" >&2; exit 2; }
DELAY_MS=${DELAY_MS:-1}
INSTANCE_CORES=${INSTANCE_CORES:-0.5}
# The capped round's CFS quota and period, in µs ("0 0": no capped round). The period is short
# (2 ms, longer only where the kernel's least quota of 1 ms needs it): over a 10 ms period an
# instance that had spent its quota stalled for the rest of it, with the round trips it had in
# flight, and two capped instances wrote only 1.23 times what one did, each leaving a quarter of
# its quota unused.
read -r quota period <<< "$(python3 -c 'import math, sys
cores = float(sys.argv[1])
if cores == 0: print(0, 0)
elif 0.001 <= cores <= 64: period = max(2000, math.ceil(1000 / cores)); print(round(cores * period), period)
else: sys.exit(1)' "$INSTANCE_CORES" 2>/dev/null)" && [ -n "${period:-}" ] \
  || { echo "INSTANCE_CORES must be 0 (no capped round) or a number of cores from 0.001 to 64 (e.g. 0.5)" >&2; exit 2; }
PORT=${PORT:-18170}
PROXY_PORT=${PROXY_PORT:-54400}
require_wrk
intake_release_binary

base=$(scripts/throwaway-postgres.sh)
admin=${base%/*}/postgres?sslmode=disable
workdir=$(mktemp -d)
pids=""
groups=""
# Every process started is in $pids (servers and wrk too), so that an early exit stops them all.
trap 'kill $pids 2>/dev/null || true; wait $pids 2>/dev/null || true; rmdir $groups 2>/dev/null || true; rm -rf "$workdir"' EXIT
python3 scripts/delay-proxy.py --listen "$PROXY_PORT" --target 127.0.0.1:54329 --delay-ms "$DELAY_MS" &
proxy_pid=$!
pids="$pids $proxy_pid"
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$PROXY_PORT") 2>/dev/null && break; sleep 0.1; done

ticks() { # the CPU time, in clock ticks, of the processes $@ (those that still run)
  for pid in "$@"; do awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null; done | awk '{s += $1} END {print s + 0}'
}

# A cgroup named $1 that holds its processes to $quota µs of CPU every $period µs; prints its
# directory, or nothing when this machine gives no writable cgroup.
cpu_cap_group() {
  local group=""
  if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    group=/sys/fs/cgroup/$1
    mkdir "$group" 2>/dev/null && { echo "$quota $period" > "$group/cpu.max"; } 2>/dev/null && echo "$group" && return
  elif [ -d /sys/fs/cgroup/cpu ]; then
    group=/sys/fs/cgroup/cpu/$1
    mkdir "$group" 2>/dev/null && { echo "$period" > "$group/cpu.cfs_period_us"; } 2>/dev/null \
      && { echo "$quota" > "$group/cpu.cfs_quota_us"; } 2>/dev/null && echo "$group" && return
  fi
  [ -z "$group" ] || rmdir "$group" 2>/dev/null || true
}

run() { # name, instances, capped (empty: no cap)
  local name=$1 instances=$2 capped=$3 database="ingest_${1//-/_}_$$"
  psql "$admin" -qc "CREATE DATABASE $database" >/dev/null
  local url="postgres://postgres@127.0.0.1:$PROXY_PORT/$database?sslmode=disable"
  intake_create_client "$url"
  local servers=""
  for index in $(seq "$instances"); do
    SERVE_ARGUMENTS="--no-bootstrap-client --issuer http://intake.test" \
      intake_serve $((PORT + index)) "$url" "$workdir/server-$name-$index.log"
    servers="$servers $server_pid"
    pids="$pids $server_pid"
    if [ -n "$capped" ]; then
      local group
      group=$(cpu_cap_group "intake-ingest-$$-$name-$index")
      [ -n "$group" ] || { echo "could not make a cgroup for instance $index" >&2; exit 1; }
      groups="$groups $group"
      echo "$server_pid" > "$group/cgroup.procs"
    fi
  done
  local token
  token=$(intake_token "http://127.0.0.1:$((PORT + 1))" "$client_id" "$client_secret")
  local waits=""
  for index in $(seq "$instances"); do
    INTAKE_TOKEN=$token INTAKE_IDEMPOTENCY_KEYS=1 wrk -t1 -c$((CONNECTIONS / instances)) -d"$DURATION" --latency \
      -s scripts/wrk/event.lua "http://127.0.0.1:$((PORT + index))/v2/event" > "$workdir/wrk-$name-$index" &
    waits="$waits $!"
    pids="$pids $!"
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
    > "$workdir/cpu-$name"
  # shellcheck disable=SC2086
  wait $waits
  # shellcheck disable=SC2086
  kill $servers; wait $servers 2>/dev/null || true
  # Stored against acknowledged: a few more stored (requests in flight when wrk stopped) is expected;
  # fewer would mean answers without events (replays), and fewer distinct event ids, duplicates.
  psql "${admin%/*}/$database?sslmode=disable" -Atqc "SELECT count(*), count(DISTINCT event_id) FROM events" \
    > "$workdir/stored-$name"
}

run shared-1 1 ""
run shared-2 2 ""
capped=""
if [ "$quota" != 0 ]; then
  probe=$(cpu_cap_group "intake-ingest-$$-probe")
  if [ -n "$probe" ]; then
    rmdir "$probe"
    run capped-1 1 yes
    run capped-2 2 yes
    capped=$INSTANCE_CORES
  else
    echo "(no writable cgroup here: the round with each instance held to $INSTANCE_CORES cores is skipped)" >&2
  fi
fi
python3 - "$workdir" "$DELAY_MS" "$DURATION" "$capped" <<'PY'
import glob, re, sys
workdir, delay, duration, capped = sys.argv[1:5]
def total(name):
    rate, answered, non2xx = 0.0, 0, 0
    for path in glob.glob(f"{workdir}/wrk-{name}-*"):
        text = open(path).read()
        rate += float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
        answered += int(re.search(r"(\d+) requests in", text).group(1))
        found = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
        non2xx += int(found.group(1)) if found else 0
    stored, distinct = open(f"{workdir}/stored-{name}").read().strip().split("|")
    return rate, non2xx, f"{stored} stored, {distinct} distinct, for {answered - non2xx} acknowledged"
def cpu(name):
    values = [float(v) for v in open(f"{workdir}/cpu-{name}").read().split()]
    before, after, seconds = values[0:4], values[4:8], values[8]
    share = [(a - b) / 100 / seconds for a, b in zip(after, before)]  # cores busy, 100 ticks a second
    names = ["intake", "PostgreSQL backends", "proxy", "wrk"]
    return ", ".join(f"{name} {value:.2f}" for name, value in zip(names, share)) + f" (of 2 cores: {sum(share):.2f})"
print(f"keyed POST /v2/event, PostgreSQL behind {delay} ms each way, {duration} per run")
rounds = [("shared", "instances sharing the machine's cores")]
if capped:
    rounds.append(("capped", f"each instance held to {capped} cores"))
for prefix, title in rounds:
    one, two = total(f"{prefix}-1"), total(f"{prefix}-2")
    print(f"{title}:")
    print(f"  one instance:  {one[0]:.0f}/s (non-2xx {one[1]}; {one[2]}); cores busy: {cpu(prefix + '-1')}")
    print(f"  two instances: {two[0]:.0f}/s (non-2xx {two[1]}; {two[2]}), {two[0] / one[0]:.2f} x one; "
          f"cores busy: {cpu(prefix + '-2')}")
PY
