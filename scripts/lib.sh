# Shell helpers shared by the benchmark scripts (scripts/load.sh, scripts/sdk-benchmark.sh).
# Source it from the repository root:
#
#   cd "$(dirname "$0")/.." && source scripts/lib.sh
#   intake_release_binary            # sets INTAKE_BIN (honours an INTAKE_BIN already set)
#   intake_create_client "$database" # sets client_id, client_secret
#   intake_serve "$port" "$database" "$log"   # sets server_pid, returns once /health answers
#   token=$(intake_token "http://127.0.0.1:$port" "$client_id" "$client_secret")

require_wrk() {
  command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
}

# The release-build `intake`, built unless INTAKE_BIN names another binary.
intake_release_binary() {
  if [ -z "${INTAKE_BIN:-}" ]; then
    swift build -c release --product intake >&2
    INTAKE_BIN=$(swift build -c release --show-bin-path)/intake
  fi
}

# A client allowed to send and read, in the database at $1.
intake_create_client() {
  local credentials
  credentials=$("$INTAKE_BIN" clients create --name load --scope "events:write events:read" --json --database "$1")
  client_id=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["client_id"])' "$credentials")
  client_secret=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["client_secret"])' "$credentials")
}

# `intake serve` on 127.0.0.1:$1 over the database $2, logging to $3; waits up to 10 s for /health.
# SERVE_WRAPPER, if set, runs in front of it (e.g. "taskset -c 0"); SERVE_ARGUMENTS are added.
intake_serve() {
  # shellcheck disable=SC2086
  ${SERVE_WRAPPER:-} "$INTAKE_BIN" serve --port "$1" --database "$2" ${SERVE_ARGUMENTS:-} > "$3" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$1/health" >/dev/null && return 0
    sleep 0.1
  done
  echo "the server did not answer /health on port $1; its log:" >&2
  cat "$3" >&2
  return 1
}

# One access token from the server at base URL $1 for client $2 with secret $3.
intake_token() {
  curl -sf -u "$2:$3" -d grant_type=client_credentials "$1/oauth2/token" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}

# Requests/s from a saved wrk report $1.
wrk_rate() {
  python3 - "$1" <<'PY'
import re, sys
print(re.search(r"Requests/sec:\s+([\d.]+)", open(sys.argv[1]).read()).group(1))
PY
}
