#!/usr/bin/env bash
# Run a command with TEST_DATABASE_URL pointing at a throw-away PostgreSQL cluster on
# 127.0.0.1 (fsync off, in a temporary folder), removed again afterwards.
set -euo pipefail
PORT=${PG_PORT:-55432}

pg_bin=""
for dir in /usr/lib/postgresql/*/bin; do [ -x "$dir/initdb" ] && pg_bin=$dir; done
if [ -z "$pg_bin" ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    for dir in /usr/lib/postgresql/*/bin; do [ -x "$dir/initdb" ] && pg_bin=$dir; done
  fi
  [ -n "$pg_bin" ] || { echo "PostgreSQL is not installed (Debian package 'postgresql')." >&2; exit 1; }
fi

data=$(mktemp -d /tmp/lms-pg.XXXXXX)
as_pg() { "$@"; }
if [ "$(id -u)" = 0 ]; then
  chown postgres "$data"
  as_pg() { runuser -u postgres -- "$@"; }
fi
cleanup() { as_pg "$pg_bin/pg_ctl" -D "$data/db" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$data"; }
trap cleanup EXIT

as_pg "$pg_bin/initdb" -D "$data/db" -U postgres -A trust --no-sync >/dev/null
as_pg "$pg_bin/pg_ctl" -D "$data/db" -l "$data/server.log" -w \
  -o "-h 127.0.0.1 -p $PORT -k $data -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
as_pg "$pg_bin/createdb" -h 127.0.0.1 -p "$PORT" -U postgres lms_test

export TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/lms_test"
"$@"
