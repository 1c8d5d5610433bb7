#!/usr/bin/env bash
# The whole test suite, as CI runs it: lint, SQLite, PostgreSQL (a throw-away cluster on
# 127.0.0.1) and the browser tests (Debian's Chromium). Fails if any part fails.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

echo "== lint"
$BIN/ruff check lms tests scripts bench
$BIN/ruff format --check lms tests scripts bench

echo "== import layers (import-linter: one-way dependencies, no cycles)"
$BIN/lint-imports --no-cache

echo "== translations compiled"
$BIN/pybabel -q compile -D lms -d lms/translations

# Chromium for the browser tests (Debian's package; never a downloaded browser).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "== installing chromium"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "Chromium is missing: install Debian's 'chromium' package (as root)." >&2
    exit 1
  fi
fi

# PDF and QR tools for the certificate tests (Debian's poppler-utils and zbar-tools), and the
# HarfBuzz subsetter that WeasyPrint 70+ wants for embedding fonts (libharfbuzz-subset0).
if ! command -v pdftotext >/dev/null || ! command -v zbarimg >/dev/null \
  || ! ldconfig -p | grep -q libharfbuzz-subset; then
  if [ "$(id -u)" = 0 ]; then
    echo "== installing poppler-utils zbar-tools libharfbuzz-subset0"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      poppler-utils zbar-tools libharfbuzz-subset0 >/dev/null
  else
    echo "Install Debian's poppler-utils, zbar-tools and libharfbuzz-subset0 (as root)." >&2
    exit 1
  fi
fi

# A real OpenID provider for the single sign-on tests: the npm package oidc-provider, run with
# node (Debian's nodejs and npm), installed from tests/oidc/package-lock.json.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    echo "== installing nodejs npm"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  else
    echo "Install Debian's nodejs and npm packages (as root)." >&2
    exit 1
  fi
fi
if [ ! -d tests/oidc/node_modules/oidc-provider ]; then
  echo "== installing the OpenID provider of the SSO tests (npm ci)"
  (cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error)
fi
# Redis for the gunicorn test's rate limiter (Debian's redis-server, started by the test).
if [ ! -x /usr/bin/redis-server ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "== installing redis-server"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  else
    echo "Install Debian's redis-server package (as root)." >&2
    exit 1
  fi
fi

# The two runs go side by side, one per core (LMS_TEST_SERIAL=1: one after the other):
# SQLite with the browser, SSO and LRS tests in the foreground; PostgreSQL in the background,
# its output kept and shown after. The multiprocess tests (workers killed mid-batch,
# gunicorn with Redis) need PostgreSQL: they are deselected by default (pyproject.toml) and
# run there, once. Each run has its own temporary folder.
sqlite_tmp=$(mktemp -d /tmp/lms-test-sqlite.XXXXXX)
pg_tmp=$(mktemp -d /tmp/lms-test-pg.XXXXXX)
pg_log="$pg_tmp/output.txt"
pg_pid=""
cleanup() {
  if [ -n "$pg_pid" ]; then  # interrupted: stop the PostgreSQL run and its processes too
    pkill -TERM -P "$pg_pid" 2>/dev/null || true
    kill "$pg_pid" 2>/dev/null || true
  fi
  rm -rf "$sqlite_tmp" "$pg_tmp"
}
trap cleanup EXIT
postgres_run() {
  bash scripts/with-postgres.sh $BIN/pytest -q -p no:cacheprovider --basetemp "$pg_tmp/t" \
    -m "(not browser and not lrs and not oidc) or multiprocess"
}

set +e
if [ "${LMS_TEST_SERIAL:-}" != 1 ]; then
  echo "== tests on PostgreSQL (with the multiprocess tests), in the background"
  postgres_run >"$pg_log" 2>&1 &
  pg_pid=$!
fi
echo "== tests on SQLite (with browser tests)"
$BIN/pytest -q -p no:cacheprovider --basetemp "$sqlite_tmp/t"
sqlite_status=$?
if [ -n "$pg_pid" ]; then
  wait "$pg_pid"
  pg_status=$?
  pg_pid=""
  echo "== tests on PostgreSQL (with the multiprocess tests), ran beside the SQLite run"
  cat "$pg_log"
else
  echo "== tests on PostgreSQL (with the multiprocess tests)"
  postgres_run
  pg_status=$?
fi
set -e
echo "== SQLite: exit $sqlite_status; PostgreSQL: exit $pg_status"
[ "$sqlite_status" = 0 ] && [ "$pg_status" = 0 ]
