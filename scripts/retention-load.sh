#!/usr/bin/env bash
# Ingest while --event-retention deletes: a SQLite database seeded with OLD_EVENTS events that
# arrived two days ago, served once without retention (baseline) and once with
# --event-retention 1d, which starts deleting them at start, 500 at a time. POST /v2/event is
# measured with wrk over the first seconds of each run, and the script reports how many old
# events the retention had deleted by the end of it.
#
#   scripts/retention-load.sh
#   OLD_EVENTS=1000000 DURATION=10s INTAKE_BIN=.build-release/release/intake scripts/retention-load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-10s}
OLD_EVENTS=${OLD_EVENTS:-500000}
PORT=${PORT:-18160}
require_wrk
intake_release_binary

workdir=$(mktemp -d)
trap 'kill "${server_pid:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$workdir"' EXIT

seed() { # database: a client, then OLD_EVENTS rows received two days ago
  intake_create_client "$1"
  python3 - "$1" "$OLD_EVENTS" <<'PY'
import sqlite3, sys, time
database, count = sys.argv[1], int(sys.argv[2])
old = int(time.time() * 1000) - 2 * 86_400_000
connection = sqlite3.connect(database)
rows = ((f"default", "seed", "lead", "signup", "seed", '{"email":"someone@example.com"}', old, old + i // 1000)
        for i in range(count))
connection.executemany(
    "INSERT INTO events (account, client_id, event_type, event_name, source_id, fields, created_at, received_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
connection.commit()
PY
}

old_left() {
  python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM events WHERE client_id = ?", ("seed",)).fetchone()[0])' "$1"
}

for run in baseline retention; do
  database="$workdir/$run.sqlite"
  seed "$database"
  arguments="--no-bootstrap-client"
  [ $run = retention ] && arguments="$arguments --event-retention 1d"
  SERVE_ARGUMENTS=$arguments intake_serve "$PORT" "$database" "$workdir/$run.log"
  INTAKE_TOKEN=$(intake_token "http://127.0.0.1:$PORT" "$client_id" "$client_secret") \
    wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s scripts/wrk/event.lua "http://127.0.0.1:$PORT/v2/event" > "$workdir/$run.wrk"
  echo "$(old_left "$database")" > "$workdir/$run.left"
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
done
python3 - "$workdir" "$OLD_EVENTS" "$DURATION" <<'PY'
import re, sys
workdir, seeded, duration = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def report(run):
    text = open(f"{workdir}/{run}.wrk").read()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    m = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)", text, re.M)
    p99 = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return rate, p99, int(non2xx.group(1)) if non2xx else 0, int(open(f"{workdir}/{run}.left").read())
base, kept = report("baseline"), report("retention")
print(f"POST /v2/event over {duration}, {seeded} old events seeded")
print(f"  without retention: {base[0]:.0f}/s, p99 {base[1]:.1f} ms, non-2xx {base[2]}")
print(f"  while deleting:    {kept[0]:.0f}/s, p99 {kept[1]:.1f} ms, non-2xx {kept[2]} "
      f"({kept[0] / base[0]:.2f} of the baseline); old events deleted meanwhile: {seeded - kept[3]}")
PY
