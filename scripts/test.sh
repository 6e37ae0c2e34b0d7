#!/usr/bin/env bash
# The project's test command (the README's and CI's): set up a venv, install, run the
# suite on SQLite, and again on PostgreSQL when KIOSK_TEST_DB_URL names a server.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
# One worker per core (pytest-xdist); each worker gets its own temp dirs and, on
# PostgreSQL, its own database.
jobs=${KIOSK_TEST_JOBS:-auto}
status=0
echo "== test suite on SQLite"
env -u KIOSK_TEST_DB_URL .venv/bin/python -m pytest -q -n "$jobs" "$@" || status=$?
if [ -n "${KIOSK_TEST_DB_URL:-}" ]; then
  echo "== test suite on PostgreSQL"
  .venv/bin/python -m pytest -q -n "$jobs" "$@" || status=$?
fi
exit "$status"
