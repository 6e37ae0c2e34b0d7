"""The console's copy of England's bank holidays (kiosk/calendar_cache.py): the same dates as
holidays gives, kept in the data dir, read instead of importing holidays, and never trusted
when anything about the file is off."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from kiosk import calendar_cache
from kiosk.rules import bank_holidays, deadlines


@pytest.fixture(autouse=True)
def _holidays_again_afterwards():
    yield
    bank_holidays.use_calendar(None)


def _no_child():
    raise AssertionError("the child process ran although the file was there")


def test_the_child_gives_what_holidays_gives_and_it_is_kept_owner_only(tmp_path):
    days = calendar_cache.make(tmp_path)
    assert days == deadlines.england_bank_holidays()
    assert date(2026, 12, 25) in days and date(2027, 5, 3) in days  # Christmas, early May
    path = calendar_cache.path_for(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert calendar_cache.read(tmp_path) == days
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no part-written file left


def test_the_rules_take_the_file_on_first_need_and_answer_as_holidays_does(tmp_path, monkeypatch):
    calendar_cache.make(tmp_path)
    monkeypatch.setattr(calendar_cache, "from_child", _no_child)
    reads = []
    real_read = calendar_cache.read
    monkeypatch.setattr(calendar_cache, "read", lambda d: reads.append(d) or real_read(d))
    calendar_cache.install(tmp_path)
    assert reads == []  # nothing read until a deadline needs it
    told = datetime(2026, 12, 24, 15, 0)
    assert deadlines.lado_deadline(told).date() == date(2026, 12, 29)  # past Christmas, Boxing Day (observed)
    assert reads == [tmp_path]
    deadlines.lado_deadline(told)
    assert reads == [tmp_path]  # once
    given = {d: (deadlines.is_working_day(d), deadlines.bank_holiday_name(d))
             for d in (date(2015, 1, 1) + timedelta(days=n) for n in range(0, 11300, 3))}
    bank_holidays.use_calendar(None)
    from_holidays = {d: (deadlines.is_working_day(d), deadlines.bank_holiday_name(d)) for d in given}
    assert given == from_holidays
    # Years beyond the copy still come from holidays.
    calendar_cache.install(tmp_path)
    assert not deadlines.is_working_day(date(2050, 12, 26))


@pytest.mark.parametrize("spoil", ["version", "short", "year", "control", "not json", "empty name"])
def test_a_file_that_is_off_is_not_used_and_is_made_again(tmp_path, monkeypatch, spoil):
    calendar_cache.make(tmp_path)
    path = calendar_cache.path_for(tmp_path)
    data = json.loads(path.read_text())
    first = sorted(data["days"])[0]
    if spoil == "version":
        data["holidays"] = "0.1"
    elif spoil == "short":  # 2031's bank holidays gone: they would count as working days
        data["days"] = {k: v for k, v in data["days"].items() if not k.startswith("2031-")}
    elif spoil == "year":
        data["days"]["2070-01-01"] = "New Year's Day"
    elif spoil == "control":
        data["days"][first] = "New Year's Day\x1b[2J"
    elif spoil == "empty name":
        data["days"][first] = ""
    path.write_text("{" if spoil == "not json" else json.dumps(data))
    assert calendar_cache.read(tmp_path) is None
    calls = []
    real_child = calendar_cache.from_child
    monkeypatch.setattr(calendar_cache, "from_child", lambda: calls.append(1) or real_child())
    calendar_cache.install(tmp_path)
    assert not deadlines.is_working_day(date(2031, 12, 25))
    assert calls == [1]
    assert calendar_cache.read(tmp_path) == deadlines.england_bank_holidays()


def test_when_the_child_fails_holidays_answers(tmp_path, monkeypatch):
    def fails():
        raise subprocess.CalledProcessError(1, "python")

    monkeypatch.setattr(calendar_cache, "from_child", fails)
    calendar_cache.install(tmp_path)
    assert not deadlines.is_working_day(date(2026, 12, 25))
    assert deadlines.add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)
    assert not calendar_cache.path_for(tmp_path).exists()


def test_the_version_is_the_one_importlib_metadata_reads():
    from importlib import metadata

    assert calendar_cache.holidays_version() == metadata.version("holidays")
    assert calendar_cache.path_for(Path("/x")).name == f"bank-holidays-england-{metadata.version('holidays')}.json"


def test_a_console_works_out_deadlines_without_importing_holidays(tmp_path):
    """What the console does (kiosk.cli.console.open_records then a deadline), in a process of its
    own: with the data dir's copy there, holidays is never imported."""
    calendar_cache.make(tmp_path)
    script = (
        "import sys; from datetime import datetime; from pathlib import Path\n"
        "from kiosk import calendar_cache; from kiosk.rules import deadlines\n"
        f"calendar_cache.install(Path({str(tmp_path)!r}))\n"
        "print(deadlines.lado_deadline(datetime(2026, 12, 24, 15)).date(),"
        " sorted(m for m in sys.modules if m.split('.')[0] in ('holidays', 'dateutil')"
        " or m.startswith('importlib.metadata')))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "FAKETIME")}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                         env=env, timeout=60).stdout
    assert out.split() == ["2026-12-29", "[]"]


def test_threads_that_need_a_day_while_the_file_is_made_wait_for_it(tmp_path, monkeypatch):
    """Two workers of one console need a deadline at once; the first makes the file (the child
    takes a while), the second must wait for it rather than go to holidays itself."""
    import threading
    import time

    text = calendar_cache.as_json(deadlines.england_bank_holidays(), calendar_cache.holidays_version())

    def slow_child():
        time.sleep(0.5)
        return text

    monkeypatch.setattr(calendar_cache, "from_child", slow_child)
    went_to_holidays = []
    monkeypatch.setattr(deadlines, "_england_calendar", lambda: went_to_holidays.append(1) or {})
    calendar_cache.install(tmp_path)
    answers = []
    workers = [threading.Thread(target=lambda: answers.append(deadlines.is_working_day(date(2026, 12, 25))))
               for _ in range(4)]
    for worker in workers:
        worker.start()
        time.sleep(0.05)
    for worker in workers:
        worker.join(10)
    assert answers == [False] * 4
    assert went_to_holidays == []
