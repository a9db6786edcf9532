#!/usr/bin/env bash
# How the server behaves while PostgreSQL is down and how fast it recovers: starts a throwaway
# cluster (scripts/throwaway-postgres.sh) and a server on it, stops the cluster for OUTAGE seconds,
# starts it again, and reports how long the first GET /v2/events took during the outage and how
# long after the restart /ready and event posts answer 2xx again.
#
#   INTAKE_BIN=.build/release/intake OUTAGE=60 scripts/outage-recovery.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
OUTAGE=${OUTAGE:-60}
PORT=${PORT:-18083}
intake_release_binary
url=$(scripts/throwaway-postgres.sh)
data=${PGDATA_DIR:-/tmp/intake-postgres}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
workdir=$(mktemp -d)
trap 'kill "${server_pid:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$workdir"' EXIT

intake_create_client "$url"
intake_serve "$PORT" "$url" "$workdir/server.log"
base="http://127.0.0.1:$PORT"
token=$(intake_token "$base" "$client_id" "$client_secret")
event='{"event_type":"lead","event_name":"outage","source_id":"s","fields":{}}'
post() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d "$event" "$base/v2/event"; }
now() { date +%s.%N; }

echo "before: POST /v2/event $(post)"
pg "$bin/pg_ctl -D $data -m fast stop" >/dev/null
start=$(now)
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$base/v2/events")
echo "during: first GET /v2/events answered $code after $(python3 -c "print(round($(now) - $start, 1))") s"
sleep "$OUTAGE"
pg "$bin/pg_ctl -D $data -l $data/server.log -w -o \"-p ${PGPORT:-54329} -c listen_addresses=127.0.0.1 -k $data\" start" >/dev/null
restarted=$(now)
until [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/ready")" = 200 ]; do sleep 0.1; done
echo "after an outage of ${OUTAGE} s: /ready 200 after $(python3 -c "print(round($(now) - $restarted, 1))") s"
until [ "$(post)" = 201 ]; do sleep 0.1; done
echo "after an outage of ${OUTAGE} s: POST /v2/event 201 after $(python3 -c "print(round($(now) - $restarted, 1))") s"
