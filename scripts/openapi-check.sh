#!/usr/bin/env bash
# Checks the live server against its OpenAPI document with schemathesis: every answer must have a
# documented status, content type, headers and body, and none may be a 5xx.
#
# Starts `intake serve` on a free port over a throwaway SQLite database, creates a client with
# every scope, takes tokens, and runs `schemathesis run` with HTTP Basic for the OAuth endpoints
# and the Bearer token for /v2. The document is read from the server's GET /openapi.json when it
# serves one, else from --schema (default: Sources/IntakeServer/OpenAPI/openapi.json).
#
#   python3 -m pip install schemathesis
#   scripts/openapi-check.sh --bin .build/debug/intake [--schema FILE] [--max-examples N] [--seed N]
#                            [--time-limit SECONDS] [-- MORE SCHEMATHESIS RUN OPTIONS]
#
# Exit status 0 when every check passes.
set -euo pipefail

usage() {
  sed -n '2,13s/^# \{0,1\}//p' "$0" >&2
  exit 2
}

root=$(cd "$(dirname "$0")/.." && pwd)
intake=""
schema_file="$root/Sources/IntakeServer/OpenAPI/openapi.json"
max_examples=30
seed=""
time_limit=600
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) intake=$(realpath "${2:?--bin needs a path}"); shift 2 ;;
    --schema) schema_file=$(realpath "${2:?--schema needs a file}"); shift 2 ;;
    --max-examples) max_examples=${2:?--max-examples needs a number}; shift 2 ;;
    --seed) seed=${2:?--seed needs a number}; shift 2 ;;
    --time-limit) time_limit=${2:?--time-limit needs seconds}; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -h | --help) usage ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
done
[ -n "$intake" ] || usage
[ -x "$intake" ] || { echo "not an executable: $intake" >&2; exit 2; }
command -v schemathesis >/dev/null || { echo "schemathesis is missing: python3 -m pip install schemathesis" >&2; exit 2; }
version=$(schemathesis --version | awk '{print $NF}')

# Private: it holds the client secret and tokens.
work=$(mktemp -d)
chmod 700 "$work"
server=""
cleanup() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
# schemathesis writes nothing into the repository from here.
cd "$work"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
database="$work/intake.sqlite"

credentials=$("$intake" clients create --name openapi-check --scope "events:write events:read tokens:introspect" \
  --json --database "$database")
client_id=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["client_id"])' "$credentials")
client_secret=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["client_secret"])' "$credentials")

"$intake" serve --port "$port" --database "$database" --no-bootstrap-client >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 100); do
  curl -fs "$base/health" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || break
  sleep 0.1
done
if ! curl -fs "$base/health" >/dev/null 2>&1; then
  echo "the server did not answer /health on port $port; its log:" >&2
  cat "$work/serve.log" >&2
  exit 1
fi

access_token() {
  curl -fs -u "$client_id:$client_secret" -d grant_type=client_credentials ${1:+-d "scope=$1"} "$base/oauth2/token" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
token=$(access_token)
# Tokens that POST /oauth2/revoke may really revoke, so that it never revokes the one /v2 uses.
spare_tokens=$(for _ in 1 2 3; do printf '"%s", ' "$(access_token events:read)"; done)

# Credentials per security scheme of the document, and real tokens (besides generated strings) for
# the `token` parameter of introspection and revocation, so that their success paths are checked too.
cat >"$work/schemathesis.toml" <<TOML
hooks = "$work/hooks.py"

[auth.openapi.clientBasic]
username = "$client_id"
password = "$client_secret"

[auth.openapi.bearerToken]
bearer = "$token"

[dictionaries.live-token]
values = ["$token"]

[dictionaries.spare-tokens]
values = [${spare_tokens%, }]

[[operations]]
include-path = "/oauth2/introspect"
parameters = { "body.token" = { dictionary = "live-token", probability = 0.5 } }

[[operations]]
include-path = "/oauth2/revoke"
parameters = { "body.token" = { dictionary = "spare-tokens", probability = 0.5 } }
TOML

# Hypothesis draws the same few Idempotency-Keys ("0", "00", …) again and again, so most generated
# events would meet only `422 idempotency-key-reused`. A suffix makes each valid key new, so events
# reach the validator and the store; invalid keys are sent as generated.
cat >"$work/hooks.py" <<'PY'
import itertools
import secrets

import schemathesis

run = secrets.token_hex(4)
serial = itertools.count()


@schemathesis.hook
def map_case(context, case):
    key = (case.headers or {}).get("Idempotency-Key")
    if isinstance(key, str) and 1 <= len(key) <= 240 and all(0x21 <= ord(c) <= 0x7E for c in key):
        case.headers["Idempotency-Key"] = f"{key}.{run}{next(serial)}"
    return case
PY

exclude=()
if curl -fs -o "$work/served.json" "$base/openapi.json" 2>/dev/null; then
  location="$base/openapi.json"
  source="served at /openapi.json"
  if [ -f "$schema_file" ] && ! python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1])) != json.load(open(sys.argv[2])))' \
    "$work/served.json" "$schema_file"; then
    echo "note: the served document differs from $schema_file (a binary built before the last edit?)"
  fi
else
  [ -f "$schema_file" ] || { echo "no schema: the server does not serve /openapi.json and $schema_file is missing" >&2; exit 2; }
  location=$schema_file
  source="from $schema_file (the server does not serve /openapi.json)"
  # Documented, but not served by this binary.
  exclude=(--exclude-path /openapi.json)
fi

seed_option=()
[ -n "$seed" ] && seed_option=(--seed "$seed")

echo "schemathesis $version against $base, schema $source"
started=$(date +%s)
status=0
timeout --kill-after=10 "$time_limit" \
  schemathesis --config-file "$work/schemathesis.toml" run "$location" \
    --url "$base" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance,unsupported_method \
    --max-examples "$max_examples" \
    --workers 1 \
    --request-timeout 10 \
    --generation-database none \
    --no-color \
    "${exclude[@]}" "${seed_option[@]}" "${extra[@]}" \
  | tee "$work/schemathesis.out" || status=${PIPESTATUS[0]}
elapsed=$(( $(date +%s) - started ))

if ! kill -0 "$server" 2>/dev/null; then
  echo "the server is no longer running; its log:" >&2
  tail -50 "$work/serve.log" >&2
  [ "$status" -ne 0 ] || status=1
fi
# "Test cases:" is followed by e.g. "971 generated, 971 passed" or "933 generated, 3 found 3 unique failures".
cases=$(sed -n '/^Test cases:/{n;s/^ *//;p;q}' "$work/schemathesis.out")
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
  echo "openapi-check: FAILED (timed out after ${time_limit}s; schemathesis $version)"
elif [ "$status" -ne 0 ]; then
  echo "openapi-check: FAILED in ${elapsed}s (${cases:-no test cases}; schemathesis $version exited $status)"
else
  echo "openapi-check: passed in ${elapsed}s (${cases}; schemathesis $version, max $max_examples examples per operation)"
fi
exit "$status"
