#!/usr/bin/env bash
# Token issuing and event ingest for each signing algorithm, against /health, in one run: one
# release-build server per algorithm (HS256, ES256, EdDSA, RS256), each on its own SQLite file,
# measured in alternation ROUNDS times (health, token, event per server per round) so that a noisy
# machine shifts every figure alike. Prints the median of each rate and of its ratio to /health.
#
#   scripts/signing-algorithms.sh                 # 3 rounds of 5 s per endpoint, 64 connections
#   ROUNDS=5 DURATION=8s scripts/signing-algorithms.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-3}
PORT=${PORT:-18100}
ALGORITHMS=${ALGORITHMS:-HS256 ES256 EdDSA RS256}
require_wrk
intake_release_binary

workdir=$(mktemp -d)
pids=""
trap 'kill $pids 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$workdir"' EXIT

port=$PORT
for alg in $ALGORITHMS; do
  intake_create_client "$workdir/$alg.sqlite"
  SERVE_ARGUMENTS="--signing-alg $alg --no-bootstrap-client" intake_serve "$port" "$workdir/$alg.sqlite" "$workdir/$alg.log"
  pids="$pids $server_pid"
  echo "$port $(printf '%s:%s' "$client_id" "$client_secret" | base64 -w0) $(intake_token "http://127.0.0.1:$port" "$client_id" "$client_secret")" > "$workdir/$alg.server"
  port=$((port + 1))
done

for round in $(seq "$ROUNDS"); do
  for alg in $ALGORITHMS; do
    read -r p basic token < "$workdir/$alg.server"
    wrk -t2 -c"$CONNECTIONS" -d"$DURATION" "http://127.0.0.1:$p/health" > "$workdir/$alg.health.$round"
    INTAKE_BASIC=$basic wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -s scripts/wrk/token.lua "http://127.0.0.1:$p/oauth2/token" > "$workdir/$alg.token.$round"
    INTAKE_TOKEN=$token wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -s scripts/wrk/event.lua "http://127.0.0.1:$p/v2/event" > "$workdir/$alg.event.$round"
  done
done

python3 - "$workdir" "$ROUNDS" "$CONNECTIONS" "$DURATION" $ALGORITHMS <<'PY'
import re, statistics, sys
workdir, rounds, connections, duration, algorithms = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5:]
def rate(path):
    text = open(path).read()
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)), int(bad.group(1)) if bad else 0
print(f"wrk, {connections} connections, {duration} per endpoint, {rounds} rounds in alternation; medians")
print(f"{'alg':<6} {'/health':>8} {'token':>8} {'token/health':>13} {'event':>8} {'event/health':>13} {'non-2xx':>8}")
for alg in algorithms:
    health, token, event, bad = [], [], [], 0
    for r in range(1, rounds + 1):
        h, b1 = rate(f"{workdir}/{alg}.health.{r}"); t, b2 = rate(f"{workdir}/{alg}.token.{r}"); e, b3 = rate(f"{workdir}/{alg}.event.{r}")
        health.append(h); token.append(t); event.append(e); bad += b1 + b2 + b3
    ratio_t = statistics.median(t / h for t, h in zip(token, health))
    ratio_e = statistics.median(e / h for e, h in zip(event, health))
    print(f"{alg:<6} {statistics.median(health):>8.0f} {statistics.median(token):>8.0f} {ratio_t:>12.0%} "
          f"{statistics.median(event):>8.0f} {ratio_e:>12.0%} {bad:>8}")
PY
