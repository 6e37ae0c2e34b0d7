"""`kiosk bench`: the synthetic school, the timing table and JSON, and bad input.

Speed targets are checked by running `kiosk bench`, not here: these tests check that the
bench builds a valid school, times every operation beside its raw SQL, and reports.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import given, settings, strategies as st

from tests.conftest import TEST_DB_URL


_TEXT = st.text()
_ROW = st.tuples(st.integers(min_value=0, max_value=2**62), _TEXT,
                 st.one_of(st.none(), st.integers(-2**40, 2**40), st.booleans()),
                 _TEXT, _TEXT, _TEXT, _TEXT, _TEXT, _TEXT)


@settings(max_examples=500, deadline=None)
@given(_ROW)
def test_digest_is_the_same_bytes_as_json_dumps(row):
    """audit._digest builds the payload itself for speed; the hash input must stay exactly
    json.dumps's, for any text (unicode, quotes, control characters, separators)."""
    import hashlib

    from kiosk.services.audit import _digest

    expected = hashlib.sha256(
        ("f" * 64 + json.dumps(list(row), ensure_ascii=False, separators=(",", ":"))).encode()).hexdigest()
    assert _digest("f" * 64, *row) == expected


def test_dataset_builds_a_valid_school(database):
    from kiosk.bench import Scale, dataset
    from kiosk.models import AuditEvent, Meta
    from kiosk.models.concerns import Concern, ConcernPupil
    from kiosk.services import audit

    scale = Scale(pupils=150, years=2, concerns=600, actions=1200, attendances=300, adult_concerns=10,
                  audit_events=3000, staff=30)
    ds = dataset.build(scale)
    assert not ds.skipped
    assert ds.counts["pupil"] == 150
    assert Concern.select().count() == scale.concerns == ds.counts["concern"]
    assert AuditEvent.select().count() == scale.audit_events
    head = Meta.get(Meta.key == "audit_head").value
    assert head.startswith(f"{scale.audit_events}:")
    result = audit.verify()
    assert result.ok and result.checked == scale.audit_events
    # Skewed: the largest pupil carries far more than the median pupil.
    links = (ConcernPupil.select().where(ConcernPupil.pupil == ds.largest_pupil_id).count())
    assert links > 5 * (scale.concerns / scale.pupils)
    assert len(ds.register_pupil_ids) == 30


def test_every_operation_runs_beside_its_raw_sql(database):
    """At 07:05 on the first working day after a bank holiday (New Year's Day 2027 was a
    Friday): the bench runs at any hour, and "today at 09:15" is still to come then."""
    from datetime import datetime

    from kiosk.bench import Scale, dataset, ops, timing
    from kiosk.clock import FakeClock, use_clock
    from kiosk.services import audit

    with use_clock(FakeClock(datetime(2027, 1, 4, 7, 5))):
        _every_operation(Scale, dataset, ops, timing, audit)


def _every_operation(Scale, dataset, ops, timing, audit):
    ds = dataset.build(Scale.for_school(120, 1, quick=True))
    operations = ops.operations(ds)
    names = [o.name.split(" (")[0] for o in operations]
    assert names == ["login", "inbox first page", "pupil search", "chronology, first page",
                     "chronology, whole", "record a concern",
                     "take a 30-pupil register", "headteacher's register", "alert poll",
                     "governors' statistics",
                     "audit verify", "chronology, first page", "roll import"]
    assert "largest pupil" in operations[3].name and "a pupil with" in operations[-2].name
    for op in operations:
        assert op.service is not None, f"{op.name}: {op.missing}"
        result = timing.measure(op, repeat=2, budget=5)
        assert result.note == "", f"{op.name}: {result.note}"
        if op.name.startswith("roll import"):
            # A whole-school file against the 5 s target; there is no raw-SQL twin.
            assert op.raw is None and result.median_ms is not None
            continue
        assert result.median_ms is not None and result.raw_median_ms is not None
        assert result.ratio is not None and result.ratio > 0
    # The raw side appends real audit events: the chain still verifies.
    assert audit.verify().ok


def test_report_table_and_json(tmp_path, monkeypatch):
    from kiosk.bench import Scale, report, runner

    if TEST_DB_URL:
        from tests.conftest import _reset_postgres

        _reset_postgres(TEST_DB_URL)
    result = runner.run(Scale.for_school(80, 1, quick=True), db_url=TEST_DB_URL, startup=False,
                        profile_misses=False)
    assert not result["errors"]
    text = report.table(result)
    for name in ("login (no argon2)", "inbox first page", "record a concern", "audit verify"):
        assert name in text
    path = tmp_path / "bench.json"
    report.write_json(result, str(path))
    data = json.loads(path.read_text())
    assert {o["name"].split(" (")[0] for o in data["operations"]} >= {"governors' statistics"}
    assert all("median_ms" in o and "raw_median_ms" in o and "ratio" in o for o in data["operations"])


@pytest.mark.skipif(bool(TEST_DB_URL), reason="SQLCipher is for SQLite")
def test_encrypted_run_reports_its_cost_beside_plain():
    from kiosk.bench import Scale, report, runner

    scale = Scale.for_school(80, 1, quick=True)
    plain = runner.run(scale, startup=False, profile_misses=False)
    encrypted = runner.run(scale, startup=False, profile_misses=False, encrypted=True)
    assert not encrypted["errors"] and "SQLCipher" in encrypted["machine"]["database"]
    plain["encrypted"] = report.compare(plain, encrypted)
    rows = plain["encrypted"]["operations"]
    assert "inbox first page" in {r["name"] for r in rows} and len(rows) >= 6
    assert all(r["ratio"] is None or r["ratio"] > 0 for r in rows)
    assert "operation (encrypted vs plain)" in report.table(plain)


def test_startup_is_measured_on_a_pty():
    from kiosk.bench import startup

    result = startup.launch([sys.executable, "-c", startup.MINIMAL_APP], measure_rss=True, settle=0.2)
    assert 0 < result.seconds < startup.TIMEOUT
    assert result.rss_mib and result.rss_mib > 5


def test_console_startup_reaches_the_login_screen(tmp_path):
    from kiosk.bench import startup
    from kiosk.bench.runner import open_bench_database
    from kiosk.db import db

    if TEST_DB_URL:
        from tests.conftest import _reset_postgres

        _reset_postgres(TEST_DB_URL)
    open_bench_database(tmp_path / "data", TEST_DB_URL)
    db.close()
    argv = [sys.executable, "-m", "kiosk", "--data-dir", str(tmp_path / "data")]
    if TEST_DB_URL:
        argv += ["--db-url", TEST_DB_URL]
    result = startup.launch(argv + ["run"], measure_rss=True, settle=0.2)
    assert result.seconds > 0 and result.rss_mib


def _kiosk(*args, timeout=60):
    proc = subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.mark.parametrize("args, words", [
    (("--pupils", "0"), "--pupils: must be at least 1"),
    (("--pupils", "-5"), "--pupils: must be at least 1"),
    (("--years", "-1"), "--years: must be at least 1"),
    (("--years", "0"), "--years: must be at least 1"),
    (("--pupils", "10000000"), "--pupils: must be at most"),
    (("--concurrency", "--crash"), "one mode at a time"),
])
def test_bad_input_is_one_clear_line(args, words):
    code, out, err = _kiosk("bench", *args)
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], err
    assert "Traceback" not in err and out == ""


@pytest.mark.parametrize("url", [
    "postgresql://nobody:wrong@127.0.0.1:9/nothing",
    "mysql+nosuchdriver://x@127.0.0.1/y",
    "notascheme://whatever",
])
def test_unreachable_db_url_is_one_clear_line(url):
    code, out, err = _kiosk("--db-url", url, "bench", "--quick")
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kiosk: "), err
    assert "Traceback" not in err


def test_json_into_a_missing_directory_is_refused(tmp_path):
    code, _, err = _kiosk("bench", "--quick", "--json", str(tmp_path / "no" / "such" / "b.json"))
    assert code != 0 and "--json" in err and len(err.strip().splitlines()) == 1
