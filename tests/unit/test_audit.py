"""The audit chain: verify finds an altered, removed or inserted event."""

from __future__ import annotations

from kiosk.db import db
from kiosk.models import AuditEvent
from kiosk.services import audit
from kiosk.services.actor import shell_actor


def _fill(n=10):
    from kiosk import appendonly

    actor = shell_actor("shell:test")
    for i in range(n):
        audit.record(actor, "test.event", "thing", i, {"i": i, "text": "ünïcødé [b]x"})
    # These tests play someone who can write the database file: they drop the append-only
    # triggers first (tests/unit/test_data_protection.py shows the triggers refusing).
    appendonly.drop_triggers()


def test_clean_chain_verifies(database):
    _fill()
    result = audit.verify()
    assert result.ok and result.checked == 10


def test_altered_event_is_named(database):
    _fill()
    AuditEvent.update(detail='{"i":99}').where(AuditEvent.seq == 4).execute()
    result = audit.verify()
    assert not result.ok and result.seq == 4 and "altered" in result.problem


def test_removed_event_is_named(database):
    _fill()
    AuditEvent.delete().where(AuditEvent.seq == 6).execute()
    result = audit.verify()
    assert not result.ok and result.seq == 6 and "missing" in result.problem


def test_removed_newest_events_are_caught(database):
    _fill()
    AuditEvent.delete().where(AuditEvent.seq >= 9).execute()
    result = audit.verify()
    assert not result.ok and result.seq == 9


def test_inserted_event_is_named(database):
    _fill()
    # Make room and insert a forged event at position 5 with a self-consistent hash.
    rows = list(AuditEvent.select().order_by(AuditEvent.seq.desc()))
    for row in rows:
        if row.seq >= 5:
            AuditEvent.update(seq=row.seq + 1).where(AuditEvent.seq == row.seq).execute()
    prev = AuditEvent.get(AuditEvent.seq == 4).hash
    forged = audit._digest(prev, 5, "2026-01-01T00:00:00.000000", None, "x", "x", "forged", "", "", "{}")
    AuditEvent.insert(seq=5, at="2026-01-01T00:00:00.000000", actor_id=None, actor="x",
                      origin="x", action="forged", target_type="", target_id="", detail="{}",
                      prev_hash=prev, hash=forged).execute()
    result = audit.verify()
    assert not result.ok and result.seq == 6


def test_verify_across_batches(database):
    _fill(25)
    assert audit.verify(batch=7).ok
    AuditEvent.update(actor="mallory").where(AuditEvent.seq == 15).execute()
    assert audit.verify(batch=7).seq == 15


def test_no_code_updates_or_deletes_audit_rows():
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2] / "kiosk"
    pattern = re.compile(r"AuditEvent\.(update|delete|delete_by_id|replace|insert_many)\b|audit_event.*(UPDATE|DELETE)")
    offenders = [
        str(p) for p in root.rglob("*.py") if pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_record_inside_rolled_back_transaction_leaves_chain_valid(database):
    _fill(3)
    try:
        with db.atomic():
            audit.record(shell_actor("shell:test"), "will.rollback")
            raise RuntimeError
    except RuntimeError:
        pass
    _fill(2)
    assert audit.verify().ok
