"""Several terminals writing at once, and writers killed mid-write (short runs).

The full runs are `kiosk bench --concurrency` (8 processes for 30 s) and `kiosk bench
--crash` (50 kills); here 8 processes write for a few seconds and a writer is killed a few
times. Every worker is a real process through the real services; each is reaped (the
modes kill and wait for any that outlive their time).
"""

from __future__ import annotations

from tests.conftest import TEST_DB_URL


def _workspace(tmp_path):
    from kiosk.bench import modes

    if TEST_DB_URL:
        from tests.conftest import _reset_postgres

        _reset_postgres(TEST_DB_URL)
    return modes.prepare(tmp_path / "data", TEST_DB_URL, pupils=120)


def test_eight_processes_writing_at_once_lose_nothing(tmp_path):
    from kiosk.bench import modes

    ws = _workspace(tmp_path)
    result = modes.concurrency(ws, processes=8, seconds=4.0)
    assert result.passed, result.summary
    assert result.details["concerns"] > 8 and result.details["registers"] > 8
    assert result.details["errors"] == []
    assert result.details["marks"] == 30 * result.details["registers"]


def test_killing_a_writer_mid_write_loses_no_committed_record(tmp_path):
    from kiosk.bench import modes

    ws = _workspace(tmp_path)
    result = modes.crash(ws, kills=3, max_delay=0.3)
    assert result.passed, result.summary
    assert result.details["kills"] == 3
    assert result.details["concerns"] + result.details["registers"] >= 3
    if not TEST_DB_URL:
        assert result.details["integrity"] == "ok"


def test_the_check_finds_a_lost_record(tmp_path):
    """The crash check is not blind: a committed record that disappears is reported."""
    from kiosk.bench import modes
    from kiosk.db import db
    from kiosk.models import Alert
    from kiosk.models.concerns import Concern, ConcernCategoryLink, ConcernPupil

    ws = _workspace(tmp_path)
    result = modes.crash(ws, kills=1, max_delay=0.1)
    assert result.passed, result.summary
    ids = result.details["concern_ids"]
    assert ids
    modes._reopen(ws)
    assert modes.check_committed(ws, ids, result.details["session_ids"]) == []
    gone = ids[-1]
    from kiosk import appendonly

    appendonly.drop_triggers()  # only someone bypassing the append-only triggers can lose a record
    for model, field in ((ConcernPupil, ConcernPupil.concern), (ConcernCategoryLink, ConcernCategoryLink.concern),
                         (Alert, Alert.record_id), (Concern, Concern.id)):
        model.delete().where(field == gone).execute()
    assert modes.check_committed(ws, ids, []) == ["1 committed concerns lost"]
    db.close()
