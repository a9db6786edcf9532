#!/usr/bin/env bash
# SDK speed (issue 4, item 6), in one run against one release-build `intake serve` on a fresh SQLite
# database: raw wrk on POST /v2/event (scripts/wrk/event.lua), then the same endpoint through
# IntakeKit's IntakeClient.send at the same concurrency (Benchmarks/SDKBenchmark), and the
# cached-token path of TokenProvider.token() in ns per call.
#
#   scripts/sdk-benchmark.sh                       # 64 connections / tasks, 10 s each
#   CONNECTIONS=32 DURATION=20 scripts/sdk-benchmark.sh
#   INTAKE_BIN=.build/release/intake scripts/sdk-benchmark.sh   # skip building the server
#
# Prints the token path's ns/call, both rates and the SDK's share of wrk's (target: ≥ 70%).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
DURATION=${DURATION:-10}          # seconds, for each of wrk and the SDK
PORT=${PORT:-18082}
TOKEN_CALLS=${TOKEN_CALLS:-1000000}
require_wrk
intake_release_binary
swift build -c release --package-path Benchmarks/SDKBenchmark >&2
BENCH_BIN=$(swift build -c release --package-path Benchmarks/SDKBenchmark --show-bin-path)/sdk-benchmark

workdir=$(mktemp -d)
trap 'kill "${server_pid:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$workdir"' EXIT
database=$workdir/intake.sqlite
url=http://127.0.0.1:$PORT

intake_create_client "$database"
intake_serve "$PORT" "$database" "$workdir/server.log"
export INTAKE_TOKEN=$(intake_token "$url" "$client_id" "$client_secret")

# Warm up, then wrk at full speed with one token, as the ceiling for any client.
wrk -t"$THREADS" -c"$CONNECTIONS" -d2s -s scripts/wrk/event.lua "$url/v2/event" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s scripts/wrk/event.lua "$url/v2/event" > "$workdir/event.wrk"

# The SDK against the same server; the secret goes by environment, not on the command line.
INTAKE_URL=$url INTAKE_CLIENT_ID=$client_id INTAKE_CLIENT_SECRET=$client_secret \
  "$BENCH_BIN" --concurrency "$CONNECTIONS" --duration "$DURATION" --token-calls "$TOKEN_CALLS" --json \
  > "$workdir/sdk.json"

python3 - "$workdir/event.wrk" "$workdir/sdk.json" "$CONNECTIONS" "$DURATION" <<'PY'
import json, re, sys
wrk_text = open(sys.argv[1]).read()
sdk = json.loads(open(sys.argv[2]).read().strip().splitlines()[-1])
connections, duration = sys.argv[3], sys.argv[4]
wrk_rate = float(re.search(r"Requests/sec:\s+([\d.]+)", wrk_text).group(1))
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", wrk_text)
sdk_rate = sdk["events_per_second"]
print(f"POST /v2/event, {connections} connections/tasks, {duration} s each, one release server, SQLite (synchronous=FULL)")
print(f"cached token path      {sdk['token_ns_per_call']:>10.1f} ns/call   (target < 1000)")
print(f"wrk                    {wrk_rate:>10.0f} events/s  (non-2xx: {non2xx.group(1) if non2xx else 0})")
print(f"IntakeClient.send      {sdk_rate:>10.0f} events/s  (failed: {sdk['failed']:.0f}, tokens fetched: {sdk['tokens_fetched']:.0f}, retries: {sdk['retries']:.0f})")
print(f"SDK / wrk              {sdk_rate / wrk_rate:>10.0%}            (target ≥ 70%)")
PY
