#!/usr/bin/env bash
# Builds the README's SDK quick start (Examples/QuickStart) and runs it against a live server on a
# throwaway SQLite database: it must store an event and read it back.
#
#   scripts/quickstart-check.sh [path/to/intake]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product QuickStart
intake=${1:-$(swift build --show-bin-path)/intake}
bin=$(swift build --show-bin-path)
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
port=${PORT:-18089}
"$intake" serve --port "$port" --database "$work/intake.sqlite" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  sleep 0.1
done
credentials=$("$intake" clients create --name quickstart --scope "events:write events:read" --json --database "$work/intake.sqlite")
INTAKE_URL="http://127.0.0.1:$port" \
INTAKE_CLIENT_ID=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["client_id"])' "$credentials") \
INTAKE_CLIENT_SECRET=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["client_secret"])' "$credentials") \
  "$bin/QuickStart" | tee "$work/out.txt"
grep -q "^stored event 1 at " "$work/out.txt"
grep -q "^landing-page has 1 events$" "$work/out.txt"
echo "QuickStart: passed"
