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

echo "== tests on SQLite (with browser tests)"
$BIN/pytest -q -p no:cacheprovider

# The multiprocess tests (workers killed mid-batch, gunicorn with Redis) need PostgreSQL:
# they are deselected by default (pyproject.toml) and run here, once. The SSO tests ran above.
echo "== tests on PostgreSQL (with the multiprocess tests)"
bash scripts/with-postgres.sh $BIN/pytest -q -p no:cacheprovider \
  -m "(not browser and not lrs and not oidc) or multiprocess"
