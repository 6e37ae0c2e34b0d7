#!/usr/bin/env bash
# The project's test command (the README's and CI's): set up a venv, install, run the
# suite on SQLite, and again on PostgreSQL when KIOSK_TEST_DB_URL names a server.
# The PostgreSQL pass runs under libfaketime (Debian package `faketime`) at an awkward moment
# (07:05 on the first working day after the next bank holiday; scripts/awkward_moment.py), so
# the two passes see different days and hours and a test that leans on the wall clock fails.
# The PostgreSQL server itself keeps the real clock: tests never compare its now() with ours.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
# One worker per core (pytest-xdist); each worker gets its own temp dirs and, on
# PostgreSQL, its own database.
jobs=${KIOSK_TEST_JOBS:-auto}
status=0
# A test process killed by a fatal signal leaves its threads' stacks here (tests/conftest.py);
# they are printed at the very end, where the tail of a CI log shows them.
KIOSK_TEST_FAULT_DIR=$(mktemp -d "${TMPDIR:-/tmp}/kiosk-test-faults.XXXXXX")
export KIOSK_TEST_FAULT_DIR
show_faults() {
  local log
  for log in "$KIOSK_TEST_FAULT_DIR"/*.log; do
    [ -s "$log" ] || continue
    echo "== a test process died: $(basename "$log" .log)"
    tail -n 80 "$log"
  done
  rm -rf "$KIOSK_TEST_FAULT_DIR"
}
trap show_faults EXIT
echo "== test suite on SQLite"
env -u KIOSK_TEST_DB_URL .venv/bin/python -m pytest -q -n "$jobs" "$@" || status=$?
if [ -n "${KIOSK_TEST_DB_URL:-}" ]; then
  clock=()
  if command -v faketime >/dev/null 2>&1; then
    # A relative offset: every process (xdist workers, spawned consoles) shares one moving clock.
    # Monotonic clocks stay real so timeouts and asyncio timers behave; scripts/faketime holds
    # a sitecustomize that works around libfaketime 0.9.10's time.sleep bug.
    clock=(env FAKETIME_DONT_FAKE_MONOTONIC=1 "PYTHONPATH=$PWD/scripts/faketime${PYTHONPATH:+:$PYTHONPATH}"
           faketime -f "$(.venv/bin/python scripts/awkward_moment.py)")
    echo "== test suite on PostgreSQL, the clock set to $(.venv/bin/python scripts/awkward_moment.py --describe)"
  else
    echo "== test suite on PostgreSQL (faketime not installed: on the real clock)"
  fi
  "${clock[@]}" .venv/bin/python -m pytest -q -n "$jobs" "$@" || status=$?
fi
exit "$status"
