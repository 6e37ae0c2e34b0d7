#!/usr/bin/env bash
# The project's test command (the README's and CI's): set up a venv, install, run the
# suite on SQLite, and on PostgreSQL when KIOSK_TEST_DB_URL names a server.
# The PostgreSQL pass runs under libfaketime (Debian package `faketime`) at an awkward moment
# (07:05 on the first working day after the next bank holiday; scripts/awkward_moment.py), so
# the two passes see different days and hours and a test that leans on the wall clock fails.
# The PostgreSQL server itself keeps the real clock: tests never compare its now() with ours.
#
# The two passes run at the same time: a journey through the console spends part of its time
# waiting (on the event loop, on the database), and the other pass fills those gaps. The
# SQLite pass prints as it goes; the PostgreSQL pass's output follows it. The exit status is
# non-zero when either pass fails.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
# One worker per core (pytest-xdist) in each pass; each worker gets its own temp dirs and,
# on PostgreSQL, its own database.
jobs=${KIOSK_TEST_JOBS:-auto}
run_dir=$(mktemp -d "${TMPDIR:-/tmp}/kiosk-test-run.XXXXXX")
pg_pid=""
# A test process killed by a fatal signal leaves its threads' stacks in the pass's fault dir
# (tests/conftest.py); they are printed at the very end, where the tail of a CI log shows them.
finish() {
  if [ -n "$pg_pid" ] && kill -0 "$pg_pid" 2>/dev/null; then
    kill -- "-$pg_pid" 2>/dev/null || kill "$pg_pid" 2>/dev/null || true
  fi
  local log
  for log in "$run_dir"/faults-*/*.log; do
    [ -s "$log" ] || continue
    echo "== a test process died: $(basename "$(dirname "$log")") $(basename "$log" .log)"
    tail -n 80 "$log"
  done
  rm -rf "$run_dir"
}
trap finish EXIT
mkdir -p "$run_dir/faults-sqlite" "$run_dir/faults-postgresql"

pg_status=0
if [ -n "${KIOSK_TEST_DB_URL:-}" ]; then
  clock=()
  describe="(faketime not installed: on the real clock)"
  lib=""
  for candidate in /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1 \
                   /usr/local/lib/faketime/libfaketime.so.1; do
    [ -e "$candidate" ] && { lib=$candidate; break; }
  done
  if [ -n "$lib" ]; then
    # libfaketime preloaded directly with a relative offset: every process (xdist workers,
    # spawned consoles) computes the same moving clock from the real one, with no semaphore
    # shared between them (the `faketime` wrapper's FAKETIME_SHARED takes one on every clock
    # read). Monotonic clocks stay real so timeouts and asyncio timers behave;
    # scripts/faketime holds a sitecustomize that works around libfaketime 0.9.10's
    # time.sleep bug. FAKETIME_FORCE_MONOTONIC_FIX=0: with the monotonic clock real there is
    # nothing for the fix to convert, and it costs every pthread_cond_timedwait a lookup under
    # a shared lock, which is every hand-over of Python's GIL: a console journey took 60% more
    # CPU and 75 times the futex calls (strace -c), and the pass as a whole 13:26 instead of 9:22.
    clock=(env "LD_PRELOAD=$lib${LD_PRELOAD:+:$LD_PRELOAD}" "FAKETIME=$(.venv/bin/python scripts/awkward_moment.py)"
           FAKETIME_DONT_FAKE_MONOTONIC=1 FAKETIME_FORCE_MONOTONIC_FIX=0
           "PYTHONPATH=$PWD/scripts/faketime${PYTHONPATH:+:$PYTHONPATH}")
    describe="the clock set to $(.venv/bin/python scripts/awkward_moment.py --describe)"
  fi
  # Its own process group, so an interrupted run stops all of it.
  set -m
  ( KIOSK_TEST_FAULT_DIR="$run_dir/faults-postgresql" "${clock[@]}" .venv/bin/python -m pytest -q \
      -n "$jobs" --basetemp="$run_dir/tmp-postgresql" "$@" > "$run_dir/postgresql.log" 2>&1
    echo $? > "$run_dir/postgresql.status" ) &
  pg_pid=$!
  set +m
fi

echo "== test suite on SQLite"
sqlite_status=0
env -u KIOSK_TEST_DB_URL KIOSK_TEST_FAULT_DIR="$run_dir/faults-sqlite" \
  .venv/bin/python -m pytest -q -n "$jobs" --basetemp="$run_dir/tmp-sqlite" "$@" || sqlite_status=$?

if [ -n "$pg_pid" ]; then
  echo "== test suite on PostgreSQL, $describe (run beside the SQLite pass)"
  # What it has printed so far, then the rest as it comes.
  tail -n +1 --pid="$pg_pid" -f "$run_dir/postgresql.log" || true
  wait "$pg_pid" || true
  pg_status=$(cat "$run_dir/postgresql.status" 2>/dev/null || echo 1)
  pg_pid=""
fi
[ "$sqlite_status" -eq 0 ] && [ "$pg_status" -eq 0 ]
