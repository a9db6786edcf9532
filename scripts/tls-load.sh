#!/usr/bin/env bash
# TLS against plain HTTP in one run: two release-build servers over their own SQLite files, one
# with --tls-cert/--tls-key (a throwaway self-signed P-256 certificate made here with openssl),
# measured in alternation ROUNDS times on /health, POST /oauth2/token and POST /v2/event with wrk
# (64 keep-alive connections: the handshake is paid once per connection, as behind a pooling
# client). Prints the medians and each TLS rate as a share of the plain one.
#
#   scripts/tls-load.sh
#   ROUNDS=5 DURATION=5s INTAKE_BIN=.build-release/release/intake scripts/tls-load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-3}
PORT=${PORT:-18150}
require_wrk
command -v openssl >/dev/null || { echo "openssl is missing: apt-get install -y openssl" >&2; exit 1; }
intake_release_binary

workdir=$(mktemp -d)
pids=""
trap 'kill $pids 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$workdir"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=localhost" \
  -keyout "$workdir/key.pem" -out "$workdir/cert.pem" 2>/dev/null

for side in plain tls; do
  port=$([ $side = plain ] && echo "$PORT" || echo $((PORT + 1)))
  intake_create_client "$workdir/$side.sqlite"
  arguments="--no-bootstrap-client"
  [ $side = tls ] && arguments="$arguments --tls-cert $workdir/cert.pem --tls-key $workdir/key.pem"
  # intake_serve polls http:// /health; the TLS side is polled over https here.
  # shellcheck disable=SC2086
  "$INTAKE_BIN" serve --port "$port" --database "$workdir/$side.sqlite" $arguments > "$workdir/$side.log" 2>&1 &
  pids="$pids $!"
  scheme=$([ $side = plain ] && echo http || echo https)
  for _ in $(seq 100); do curl -skf "$scheme://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
  token=$(curl -skf -u "$client_id:$client_secret" -d grant_type=client_credentials "$scheme://127.0.0.1:$port/oauth2/token" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  echo "$scheme://127.0.0.1:$port $(printf '%s:%s' "$client_id" "$client_secret" | base64 -w0) $token" > "$workdir/$side.server"
done
for round in $(seq "$ROUNDS"); do
  for side in plain tls; do
    read -r base basic token < "$workdir/$side.server"
    wrk -t2 -c"$CONNECTIONS" -d"$DURATION" "$base/health" > "$workdir/$side.health.$round"
    INTAKE_BASIC=$basic wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -s scripts/wrk/token.lua "$base/oauth2/token" > "$workdir/$side.token.$round"
    INTAKE_TOKEN=$token wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -s scripts/wrk/event.lua "$base/v2/event" > "$workdir/$side.event.$round"
  done
done
python3 - "$workdir" "$ROUNDS" <<'PY'
import re, statistics, sys
workdir, rounds = sys.argv[1], int(sys.argv[2])
def report(path):
    text = open(path).read()
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)), int(non2xx.group(1)) if non2xx else 0
print(f"{'endpoint':<10}{'plain/s':>10}{'TLS/s':>10}{'TLS/plain':>11}  non-2xx (plain, TLS)")
for endpoint in ("health", "token", "event"):
    plain = [report(f"{workdir}/plain.{endpoint}.{r}") for r in range(1, rounds + 1)]
    tls = [report(f"{workdir}/tls.{endpoint}.{r}") for r in range(1, rounds + 1)]
    p, t = statistics.median(x[0] for x in plain), statistics.median(x[0] for x in tls)
    print(f"{endpoint:<10}{p:>10.0f}{t:>10.0f}{t / p:>11.2f}  {sum(x[1] for x in plain)}, {sum(x[1] for x in tls)}")
PY
