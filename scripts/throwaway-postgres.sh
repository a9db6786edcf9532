#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on loopback (Debian's postgresql package) and prints its URL.
#
#   export INTAKE_TEST_POSTGRES_URL=$(scripts/throwaway-postgres.sh)      # start
#   scripts/throwaway-postgres.sh stop                                    # stop and delete
#
# Env: PGPORT (default 54329), PGDATA_DIR (default /tmp/intake-postgres). Runs the server as the
# `postgres` system user when started as root.
set -euo pipefail
port=${PGPORT:-54329}
data=${PGDATA_DIR:-/tmp/intake-postgres}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] || { echo "PostgreSQL is not installed: apt-get install -y postgresql" >&2; exit 1; }

as_postgres() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}

if [ "${1:-start}" = stop ]; then
  as_postgres "$bin/pg_ctl -D $data -m fast stop" >/dev/null 2>&1 || true
  rm -rf "$data"
  exit 0
fi

if ! as_postgres "$bin/pg_ctl -D $data status" >/dev/null 2>&1; then
  rm -rf "$data"
  mkdir -p "$data"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$data"
  as_postgres "$bin/initdb -D $data -U postgres -A trust --no-sync" >/dev/null
  as_postgres "$bin/pg_ctl -D $data -l $data/server.log -w \
    -o '-p $port -c listen_addresses=127.0.0.1 -k $data -c max_connections=200 -c fsync=on' start" >/dev/null
  as_postgres "$bin/createdb -h 127.0.0.1 -p $port -U postgres intake"
fi
echo "postgres://postgres@127.0.0.1:$port/intake?sslmode=disable"
