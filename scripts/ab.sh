#!/usr/bin/env bash
# A/B of two builds on one endpoint: each binary serves its own SQLite file, and /health and the
# endpoint of both are measured in alternation ROUNDS times, so that a noisy machine shifts both
# alike. Prints the median endpoint/health ratio of each, and the endpoint's p99.
#
#   scripts/ab.sh /tmp/intake-before .build-release/release/intake            # the token endpoint
#   ENDPOINT=event scripts/ab.sh OLD NEW        # POST /v2/event (or event+key: with Idempotency-Key)
#   ROUNDS=7 DURATION=5s scripts/ab.sh OLD NEW
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
[ $# = 2 ] || { echo "usage: [ENDPOINT=token|event|event+key] scripts/ab.sh BINARY_A BINARY_B" >&2; exit 2; }
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-5}
PORT=${PORT:-18140}
ENDPOINT=${ENDPOINT:-token}
case "$ENDPOINT" in
  token) path=/oauth2/token; script=scripts/wrk/token.lua ;;
  event) path=/v2/event; script=scripts/wrk/event.lua ;;
  event+key) path=/v2/event; script=scripts/wrk/event.lua; export INTAKE_IDEMPOTENCY_KEYS=1 ;;
  *) echo "unknown ENDPOINT $ENDPOINT: token, event or event+key" >&2; exit 2 ;;
esac
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
  token=$(intake_token "http://127.0.0.1:$port" "$client_id" "$client_secret")
  echo "$port $(printf '%s:%s' "$client_id" "$client_secret" | base64 -w0) $token" > "$workdir/$side.server"
done
for round in $(seq "$ROUNDS"); do
  for side in a b; do
    read -r p basic token < "$workdir/$side.server"
    wrk -t2 -c"$CONNECTIONS" -d"$DURATION" "http://127.0.0.1:$p/health" > "$workdir/$side.health.$round"
    INTAKE_BASIC=$basic INTAKE_TOKEN=$token wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$script" \
      "http://127.0.0.1:$p$path" > "$workdir/$side.endpoint.$round"
  done
done
python3 - "$workdir" "$ROUNDS" "$1" "$2" "$ENDPOINT" <<'PY'
import re, statistics, sys
workdir, rounds, endpoint = sys.argv[1], int(sys.argv[2]), sys.argv[5]
def read(path):
    return open(path).read()
def rate(text):
    return float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
def p99(text):
    m = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)", text, re.M)
    if not m: return float("nan")
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
for side, binary in (("a", sys.argv[3]), ("b", sys.argv[4])):
    health = [rate(read(f"{workdir}/{side}.health.{r}")) for r in range(1, rounds + 1)]
    texts = [read(f"{workdir}/{side}.endpoint.{r}") for r in range(1, rounds + 1)]
    rates = [rate(t) for t in texts]
    non2xx = sum(int(m.group(1)) for t in texts for m in [re.search(r"Non-2xx or 3xx responses: (\d+)", t)] if m)
    ratios = sorted(e / h for e, h in zip(rates, health))
    print(f"{side}: {binary}\n   /health {statistics.median(health):.0f}/s, {endpoint} {statistics.median(rates):.0f}/s "
          f"(p99 median {statistics.median(p99(t) for t in texts):.1f} ms, non-2xx {non2xx}), "
          f"{endpoint}/health median {statistics.median(ratios):.0%} (rounds: {', '.join(f'{r:.0%}' for r in ratios)})")
PY
