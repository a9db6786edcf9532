#!/usr/bin/env bash
# SDK speed (issue 4, item 6), in one run against one release-build `intake serve` on a fresh SQLite
# database, every rate at the same concurrency on POST /v2/event:
#   1. wrk with scripts/wrk/event.lua (the baseline the target is set against);
#   2. wrk with scripts/wrk/event.lua with INTAKE_IDEMPOTENCY_KEYS=1: the same plus an Idempotency-Key, which the SDK always
#      sends and which costs the server a little more (it stores the key and the answer);
#   3. IntakeKit's IntakeClient.send from Benchmarks/SDKBenchmark, one HTTP/1.1 connection per task;
#   4. bare AsyncHTTPClient posting the same requests without the SDK, to split the SDK's own cost
#      from its HTTP client's;
# then the bulk path, POST /v2/events with BATCH_SIZE events per request, each with a key:
#   5. wrk with scripts/wrk/events-batch.lua;
#   6. IntakeClient.send(batch:), what sendAll and `intake send` use;
# and the cached-token path of TokenProvider.token() in ns per call.
#
#   scripts/sdk-benchmark.sh                       # 64 connections / tasks, 10 s each
#   CONNECTIONS=32 DURATION=20 BATCH_SIZE=50 scripts/sdk-benchmark.sh
#   INTAKE_BIN=.build/release/intake scripts/sdk-benchmark.sh   # skip building the server
#   PIN=1 scripts/sdk-benchmark.sh   # server on CPU 0; wrk and the SDK on CPU 1 (needs taskset)
#
# Prints the token path's ns/call, the rates and the SDK's share of wrk's (target: ≥ 70%).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
DURATION=${DURATION:-10}          # seconds, for each of the four rates
PORT=${PORT:-18082}
TOKEN_CALLS=${TOKEN_CALLS:-1000000}
BATCH_SIZE=${BATCH_SIZE:-100}     # events per request on the bulk path
# With PIN=1 the clients get their own core, so what a client costs does not come out of the
# server's share: the rates then compare how hard each client can drive the server.
client_cpu=""
if [ "${PIN:-0}" = 1 ]; then
  SERVE_WRAPPER="taskset -c 0"
  client_cpu="taskset -c 1"
fi
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
$client_cpu wrk -t"$THREADS" -c"$CONNECTIONS" -d2s -s scripts/wrk/event.lua "$url/v2/event" >/dev/null
$client_cpu wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s scripts/wrk/event.lua "$url/v2/event" > "$workdir/event.wrk"
INTAKE_IDEMPOTENCY_KEYS=1 $client_cpu wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s scripts/wrk/event.lua "$url/v2/event" \
  > "$workdir/event-idempotent.wrk"
INTAKE_BATCH_SIZE=$BATCH_SIZE $client_cpu wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s scripts/wrk/events-batch.lua \
  "$url/v2/events" > "$workdir/events-batch.wrk"

# The SDK, then bare AsyncHTTPClient, against the same server; the secret goes by environment, not
# on the command line.
INTAKE_URL=$url INTAKE_CLIENT_ID=$client_id INTAKE_CLIENT_SECRET=$client_secret \
  $client_cpu "$BENCH_BIN" --concurrency "$CONNECTIONS" --duration "$DURATION" --raw-duration "$DURATION" \
  --token-calls "$TOKEN_CALLS" --batch-size "$BATCH_SIZE" --json > "$workdir/sdk.json"

python3 - "$workdir" "$CONNECTIONS" "$DURATION" "$BATCH_SIZE" "${PIN:-0}" <<'PY'
import json, re, sys
workdir, connections, duration, batch_size, pinned = sys.argv[1:6]
def wrk(name):
    text = open(f"{workdir}/{name}.wrk").read()
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)), int(non2xx.group(1)) if non2xx else 0
sdk = json.loads(open(f"{workdir}/sdk.json").read().strip().splitlines()[-1])
(plain, plain_bad), (keyed, keyed_bad) = wrk("event"), wrk("event-idempotent")
rate, raw = sdk["events_per_second"], sdk["raw_events_per_second"]
batch_requests, batch_bad = wrk("events-batch")
wrk_batch, sdk_batch = batch_requests * int(batch_size), sdk["batch_events_per_second"]
cores = "server on CPU 0, clients on CPU 1" if pinned == "1" else "server and clients sharing the cores"
print(f"POST /v2/event, {connections} connections/tasks, {duration} s each, one release server, SQLite (synchronous=FULL), {cores}")
print(f"cached token path                 {sdk['token_ns_per_call']:>8.1f} ns/call  (target < 1000)")
print(f"wrk, event.lua                    {plain:>8.0f} events/s (non-2xx: {plain_bad})")
print(f"wrk, event.lua + keys                {keyed:>8.0f} events/s (non-2xx: {keyed_bad})")
print(f"IntakeClient.send                 {rate:>8.0f} events/s (failed: {sdk['failed']:.0f}, tokens fetched: {sdk['tokens_fetched']:.0f}, retries: {sdk['retries']:.0f})")
print(f"bare AsyncHTTPClient, same posts  {raw:>8.0f} events/s (failed: {sdk['raw_failed']:.0f})")
print(f"SDK / wrk                         {rate / plain:>8.0%}          (target ≥ 70%)")
print(f"SDK / wrk with Idempotency-Key    {rate / keyed:>8.0%}")
print(f"SDK / bare AsyncHTTPClient        {rate / raw:>8.0%}")
print(f"POST /v2/events, {batch_size} events per request, with keys, same connections/tasks")
print(f"wrk, events-batch.lua             {wrk_batch:>8.0f} events/s (non-2xx: {batch_bad})")
print(f"IntakeClient.send(batch:)         {sdk_batch:>8.0f} events/s (failed requests: {sdk['batch_failed']:.0f})")
print(f"SDK / wrk, batches                {sdk_batch / wrk_batch:>8.0%}          (target ≥ 70%)")
print(f"SDK batches / wrk single events   {sdk_batch / plain:>8.0%}")
PY
