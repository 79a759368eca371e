#!/usr/bin/env bash
# Start a throw-away PostgreSQL server on 127.0.0.1, run the given command against it with
# ORDO_DATABASE_URL set, and stop the server whatever happens. Uses Debian's postgresql binaries.
set -euo pipefail

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
  echo "PostgreSQL server binaries not found; installing Debian's postgresql" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
PORT=${ORDO_PG_PORT:-55432}
DATA=$(mktemp -d /tmp/ordo-pg.XXXXXX)

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
stop() {
  as_postgres "$PG_BIN/pg_ctl" -D "$DATA/db" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$DATA"
}
trap stop EXIT

[ "$(id -u)" = 0 ] && chown postgres "$DATA"
as_postgres "$PG_BIN/initdb" -D "$DATA/db" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
# A test server: durability off for speed, enough connections for the concurrency tests.
as_postgres "$PG_BIN/pg_ctl" -D "$DATA/db" -w -l "$DATA/server.log" \
  -o "-p $PORT -k $DATA -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
      -c full_page_writes=off -c max_connections=200" start >/dev/null
as_postgres "$PG_BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres ordo
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT, database ordo" >&2

export ORDO_DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/ordo"
"$@"
