#!/usr/bin/env bash
# `make bench`: install wrk when missing (Debian's package), then bench/run.py; with PG=1 also
# on a throw-away PostgreSQL (scripts/with-postgres.sh, port PG_PORT) unless
# LMS_BENCH_DATABASE_URL already names one. Arguments go to bench/run.py.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}

if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    echo "== installing wrk"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  else
    echo "wrk is missing: install Debian's 'wrk' package (as root)." >&2
    exit 1
  fi
fi

if [ "${PG:-}" = 1 ] && [ -z "${LMS_BENCH_DATABASE_URL:-}" ]; then
  exec bash scripts/with-postgres.sh sh -c \
    'LMS_BENCH_DATABASE_URL="$TEST_DATABASE_URL" exec "$0" bench/run.py "$@"' "$BIN/python" "$@"
fi
exec "$BIN/python" bench/run.py "$@"
