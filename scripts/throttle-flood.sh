#!/usr/bin/env bash
# Throttling under a flood: one release-build server started with --trusted-proxy 127.0.0.1/32,
# so that X-Forwarded-For sets each wrk's source address. Measures, in one run: /health; a good
# client's token rate alone (from 192.0.2.10); then the same good client while a second wrk floods
# the token endpoint with a wrong secret for the same client id from 203.0.113.66 (64 connections).
# The good client must keep its rate (no lockout by a stranger) and the flood must be answered 429.
#
#   scripts/throttle-flood.sh
#   DURATION=10s scripts/throttle-flood.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-8s}
PORT=${PORT:-18130}
require_wrk
intake_release_binary

workdir=$(mktemp -d)
trap 'kill "${server_pid:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$workdir"' EXIT
intake_create_client "$workdir/intake.sqlite"
SERVE_ARGUMENTS="--trusted-proxy 127.0.0.1/32 --no-bootstrap-client" intake_serve "$PORT" "$workdir/intake.sqlite" "$workdir/server.log"
url="http://127.0.0.1:$PORT"
good=$(printf '%s:%s' "$client_id" "$client_secret" | base64 -w0)
bad=$(printf '%s:%s' "$client_id" "not-the-secret" | base64 -w0)

wrk -t2 -c"$CONNECTIONS" -d2s "$url/health" >/dev/null
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" "$url/health" > "$workdir/health.wrk"
INTAKE_BASIC=$good INTAKE_FORWARDED_FOR=192.0.2.10 wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -s scripts/wrk/token.lua "$url/oauth2/token" > "$workdir/alone.wrk"
INTAKE_BASIC=$bad INTAKE_FORWARDED_FOR=203.0.113.66 wrk -t1 -c"$CONNECTIONS" -d"$DURATION" -s scripts/wrk/token.lua "$url/oauth2/token" > "$workdir/flood.wrk" &
flood_pid=$!
INTAKE_BASIC=$good INTAKE_FORWARDED_FOR=192.0.2.10 wrk -t1 -c"$CONNECTIONS" -d"$DURATION" -s scripts/wrk/token.lua "$url/oauth2/token" > "$workdir/during.wrk"
wait "$flood_pid"

python3 - "$workdir" <<'PY'
import re, sys
workdir = sys.argv[1]
def read(name):
    text = open(f"{workdir}/{name}.wrk").read()
    total = int(re.search(r"(\d+) requests in", text).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)), total, int(bad.group(1)) if bad else 0
health, _, _ = read("health")
alone, _, alone_bad = read("alone")
during, _, during_bad = read("during")
flood, flood_total, flood_refused = read("flood")
print(f"/health                          {health:>8.0f}/s")
print(f"good client alone                {alone:>8.0f}/s  {alone / health:>4.0%} of /health  non-2xx {alone_bad}")
print(f"good client during the flood     {during:>8.0f}/s  {during / health:>4.0%} of /health  non-2xx {during_bad}")
print(f"flood of wrong secrets           {flood:>8.0f}/s  {flood_refused} of {flood_total} answered non-2xx (401 then 429)")
PY
grep -c "throttling.started" "$workdir/server.log" | sed 's/^/throttling log lines: /' || true
"$INTAKE_BIN" audit --database "$workdir/intake.sqlite" | grep throttling || true
