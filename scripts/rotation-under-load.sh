#!/usr/bin/env bash
# Key rotation under load: two instances on one database; wrk hammers the token endpoint of A and
# POST /v2/event on B with a token issued before the first rotation, while `intake keys rotate`
# runs every 2 s (cycling ES256, EdDSA, RS256, HS256) and a probe fetches fresh tokens from each
# instance and uses them on the other at once. Passes when nothing answers non-2xx.
#
#   scripts/rotation-under-load.sh                       # SQLite file shared by both instances
#   DATABASE=$(scripts/throwaway-postgres.sh) scripts/rotation-under-load.sh
#   DURATION=20s CONNECTIONS=32 scripts/rotation-under-load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

CONNECTIONS=${CONNECTIONS:-32}
DURATION=${DURATION:-12s}
PORT=${PORT:-18090}
DATABASE=${DATABASE:-}
require_wrk
intake_release_binary

workdir=$(mktemp -d)
trap 'kill ${pids:-} 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$workdir"' EXIT
database=${DATABASE:-$workdir/intake.sqlite}
intake_create_client "$database"
# One issuer for both, as behind one load balancer.
export SERVE_ARGUMENTS="--issuer http://intake.test --no-bootstrap-client"
intake_serve "$PORT" "$database" "$workdir/a.log"; pids="$server_pid"
intake_serve "$((PORT + 1))" "$database" "$workdir/b.log"; pids="$pids $server_pid"
a="http://127.0.0.1:$PORT"; b="http://127.0.0.1:$((PORT + 1))"

export INTAKE_BASIC=$(printf '%s:%s' "$client_id" "$client_secret" | base64 -w0)
export INTAKE_TOKEN=$(intake_token "$a" "$client_id" "$client_secret")

( for alg in ES256 EdDSA RS256 HS256 ES256 EdDSA; do
    sleep 2
    "$INTAKE_BIN" keys rotate --alg "$alg" --database "$database" >/dev/null
  done ) & pids="$pids $!"

python3 - "$a" "$b" "$client_id" "$client_secret" "${DURATION%s}" > "$workdir/probe.txt" <<'PY' &
import base64, http.client, json, sys, time, urllib.parse
a, b, client_id, secret, seconds = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])
basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
def connect(url):
    parts = urllib.parse.urlsplit(url)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
conns = {a: connect(a), b: connect(b)}
probes, failures, kids = 0, [], set()
deadline = time.time() + seconds
while time.time() < deadline:
    for issuer, user in ((a, b), (b, a)):
        conns[issuer].request("POST", "/oauth2/token", "grant_type=client_credentials",
                              {"Authorization": "Basic " + basic, "Content-Type": "application/x-www-form-urlencoded"})
        response = conns[issuer].getresponse(); body = response.read()
        if response.status != 200:
            failures.append(f"token from {issuer}: {response.status} {body[:200]!r}"); continue
        token = json.loads(body)["access_token"]
        kids.add(json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "==")).get("kid"))
        event = json.dumps({"event_type": "lead", "event_name": "probe", "source_id": "rotation", "fields": {}})
        conns[user].request("POST", "/v2/event", event, {"Authorization": "Bearer " + token, "Content-Type": "application/json"})
        response = conns[user].getresponse(); body = response.read()
        probes += 1
        if response.status != 201:
            failures.append(f"token from {issuer} on {user}: {response.status} {body[:200]!r}")
    time.sleep(0.02)
print(f"probe\t{probes}\t{len(failures)}\t{len(kids)}")
for failure in failures[:10]:
    print("  " + failure)
PY
probe_pid=$!

wrk -t1 -c"$CONNECTIONS" -d"$DURATION" -s scripts/wrk/token.lua "$a/oauth2/token" > "$workdir/token.wrk" &
token_pid=$!
wrk -t1 -c"$CONNECTIONS" -d"$DURATION" -s scripts/wrk/event.lua "$b/v2/event" > "$workdir/event.wrk"
wait "$token_pid" "$probe_pid"

status=0
for name in token event; do
  rate=$(wrk_rate "$workdir/$name.wrk")
  bad=$(grep -oP 'Non-2xx or 3xx responses: \K\d+' "$workdir/$name.wrk" || echo 0)
  echo "$name: $rate req/s, non-2xx $bad"
  [ "$bad" = 0 ] || status=1
done
read -r _ probes failed kids < <(head -n1 "$workdir/probe.txt")
echo "cross-instance probe: $probes fresh tokens used on the other instance, $failed refused, $kids signing keys seen"
tail -n +2 "$workdir/probe.txt"
[ "$failed" = 0 ] || status=1
"$INTAKE_BIN" keys list --database "$database"
exit $status
