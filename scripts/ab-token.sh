#!/usr/bin/env bash
# A/B of two builds on the token endpoint: each binary serves its own SQLite file, and /health and
# POST /oauth2/token of both are measured in alternation ROUNDS times, so that a noisy machine
# shifts both alike. Prints the median token/health ratio of each.
#
#   scripts/ab-token.sh /tmp/intake-before .build-release/release/intake
#   ROUNDS=7 DURATION=5s scripts/ab-token.sh OLD NEW
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
[ $# = 2 ] || { echo "usage: scripts/ab-token.sh BINARY_A BINARY_B" >&2; exit 2; }
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-5}
PORT=${PORT:-18140}
require_wrk

workdir=$(mktemp -d)
pids=""
trap 'kill $pids 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$workdir"' EXIT
for side in a b; do
  INTAKE_BIN=$([ $side = a ] && echo "$1" || echo "$2")
  port=$([ $side = a ] && echo "$PORT" || echo $((PORT + 1)))
  intake_create_client "$workdir/$side.sqlite"
  SERVE_ARGUMENTS="--no-bootstrap-client" intake_serve "$port" "$workdir/$side.sqlite" "$workdir/$side.log"
  pids="$pids $server_pid"
  echo "$port $(printf '%s:%s' "$client_id" "$client_secret" | base64 -w0)" > "$workdir/$side.server"
done
for round in $(seq "$ROUNDS"); do
  for side in a b; do
    read -r p basic < "$workdir/$side.server"
    wrk -t2 -c"$CONNECTIONS" -d"$DURATION" "http://127.0.0.1:$p/health" > "$workdir/$side.health.$round"
    INTAKE_BASIC=$basic wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -s scripts/wrk/token.lua "http://127.0.0.1:$p/oauth2/token" > "$workdir/$side.token.$round"
  done
done
python3 - "$workdir" "$ROUNDS" "$1" "$2" <<'PY'
import re, statistics, sys
workdir, rounds = sys.argv[1], int(sys.argv[2])
def rate(path):
    return float(re.search(r"Requests/sec:\s+([\d.]+)", open(path).read()).group(1))
for side, binary in (("a", sys.argv[3]), ("b", sys.argv[4])):
    health = [rate(f"{workdir}/{side}.health.{r}") for r in range(1, rounds + 1)]
    token = [rate(f"{workdir}/{side}.token.{r}") for r in range(1, rounds + 1)]
    ratios = sorted(t / h for t, h in zip(token, health))
    print(f"{side}: {binary}\n   /health {statistics.median(health):.0f}/s, token {statistics.median(token):.0f}/s, "
          f"token/health median {statistics.median(ratios):.0%} (rounds: {', '.join(f'{r:.0%}' for r in ratios)})")
PY
