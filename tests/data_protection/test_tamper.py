"""Append-only in the database, record hashes, and signed checkpoints outside it.

Each attack of issue 15 is played on a COPY of a school's database by someone who can
write the file (so the first thing they do is drop the append-only triggers), then
`kiosk audit verify --checkpoints FILE` is run on the copy with the original's log.
"""

from __future__ import annotations

import shutil

import pytest

from tests.data_protection.conftest import sqlite_only


def _close():
    from kiosk.db import db

    if db.obj is not None and not db.obj.is_closed():
        db.close()


def test_triggers_refuse_update_and_delete_of_records(school, record):
    import peewee

    from kiosk.models import AuditEvent
    from kiosk.models.concerns import Concern, ConcernAmendment
    from kiosk.services import concerns

    r = record()
    dsl = school.users["dsl"]
    concerns.amend(dsl, r.id, field="words", text="Dad hit me with a belt", reason="Typo in the words")
    with pytest.raises(peewee.DatabaseError, match="append-only"):
        Concern.update(description="nothing happened").where(Concern.id == r.id).execute()
    with pytest.raises(peewee.DatabaseError, match="append-only"):
        Concern.delete().where(Concern.id == r.id).execute()
    with pytest.raises(peewee.DatabaseError, match="append-only"):
        ConcernAmendment.update(text="x").execute()
    with pytest.raises(peewee.DatabaseError, match="append-only"):
        AuditEvent.update(actor="mallory").where(AuditEvent.seq == 1).execute()
    with pytest.raises(peewee.DatabaseError, match="append-only"):
        AuditEvent.delete().execute()
    # The cached status columns still change (acknowledge, assign, close go through).
    concerns.acknowledge(dsl, r.id)
    assert Concern.get_by_id(r.id).status == "acknowledged"


def test_quietly_edited_concern_is_named_by_number(school, record, capsys):
    from kiosk import appendonly
    from kiosk.db import db
    from kiosk.models.concerns import Concern
    from kiosk.services import audit

    first = record()
    second = record()
    assert audit.verify_records() == []
    appendonly.drop_triggers()
    Concern.update(description="Nothing happened.").where(Concern.id == second.id).execute()
    problems = audit.verify_records()
    assert problems == [f"concern C-{second.id:05d} was changed outside the console "
                        f"(its content differs from audit event {_event_of(second.id)})"]
    assert audit.verify().ok  # the chain alone would not have noticed
    del first, db


def _event_of(concern_id: int) -> int:
    from kiosk.models import AuditEvent

    return (AuditEvent.select().where((AuditEvent.action == "concern.record")
                                      & (AuditEvent.target_id == str(concern_id))).get().seq)


def _school_with_checkpoint(settings, record, events: int = 30):
    """A database with events, a checkpoint at the head, then a few more events."""
    from kiosk.services import audit, checkpoints
    from kiosk.services.actor import shell_actor

    record()
    for i in range(events):
        audit.record(shell_actor("shell:test"), "test.event", "thing", i, {"i": i})
    seq, head = audit.read_head(for_update=False)
    checkpoints.write_checkpoint(settings, seq, head, reason="backup")
    for i in range(5):
        audit.record(shell_actor("shell:test"), "test.after", "thing", i, {"i": i})
    return seq


def _attack_copy(settings, tmp_path, attack):
    """Copy the data dir, run the attack on the copy (triggers dropped), return its Settings."""
    from kiosk import appendonly
    from kiosk.config import Settings
    from kiosk.schema import open_database

    _close()
    copy = Settings(data_dir=tmp_path / "copy" / "data")
    copy.data_dir.parent.mkdir()
    shutil.copytree(settings.data_dir, copy.data_dir)
    open_database(copy, create=False)
    appendonly.drop_triggers()
    attack()
    _close()
    return copy


def _verify_copy(copy, settings, capsys):
    from kiosk import keys
    from kiosk.cli import main

    code = main(["audit", "verify", "--data-dir", str(copy.data_dir),
                 "--checkpoints", str(keys.checkpoint_log_path(settings)),
                 "--public-key", str(keys.public_key_path(settings))])
    out, err = capsys.readouterr()
    return code, out, err


def _rehash_from(first_seq: int) -> None:
    """Recompute every hash from first_seq to the end, and the head row, as an attacker would."""
    from kiosk.models import AuditEvent
    from kiosk.services import audit

    prev = AuditEvent.get(AuditEvent.seq == first_seq - 1).hash if first_seq > 1 else audit.GENESIS
    last = (0, prev)
    for e in AuditEvent.select().where(AuditEvent.seq >= first_seq).order_by(AuditEvent.seq):
        digest = audit._digest(prev, e.seq, e.at, e.actor_id, e.actor, e.origin, e.action,
                               e.target_type, e.target_id, e.detail)
        AuditEvent.update(prev_hash=prev, hash=digest).where(AuditEvent.seq == e.seq).execute()
        prev = digest
        last = (e.seq, digest)
    audit._write_head(*last)


@sqlite_only
def test_truncated_tail_with_rewritten_head_is_found(settings, record, tmp_path, capsys, database, school):
    from kiosk.models import AuditEvent
    from kiosk.services import audit

    cp = _school_with_checkpoint(settings, record)

    def attack():
        AuditEvent.delete().where(AuditEvent.seq > cp - 10).execute()
        last = AuditEvent.select().order_by(AuditEvent.seq.desc()).get()
        audit._write_head(last.seq, last.hash)
        assert audit.verify().ok  # the chain alone says "intact": the attack of the issue

    copy = _attack_copy(settings, tmp_path, attack)
    code, out, err = _verify_copy(copy, settings, capsys)
    assert code == 2 and "truncated tail" in err and f"saw event {cp}" in err
    assert "audit chain intact" in out


@sqlite_only
def test_changed_event_with_recomputed_chain_is_found(settings, record, tmp_path, capsys, database, school):
    from kiosk.models import AuditEvent
    from kiosk.services import audit

    cp = _school_with_checkpoint(settings, record)

    def attack():
        AuditEvent.update(detail='{"i":999}').where(AuditEvent.seq == 5).execute()
        _rehash_from(5)
        assert audit.verify().ok

    copy = _attack_copy(settings, tmp_path, attack)
    code, out, err = _verify_copy(copy, settings, capsys)
    assert code == 2 and f"event {cp} no longer has the hash" in err and "recomputed" in err


@sqlite_only
def test_rewritten_head_is_found(settings, record, tmp_path, capsys, database, school):
    from kiosk.services import audit

    _school_with_checkpoint(settings, record)

    def attack():
        audit._write_head(3, "f" * 64)

    copy = _attack_copy(settings, tmp_path, attack)
    code, out, err = _verify_copy(copy, settings, capsys)
    assert code == 2 and "audit chain broken" in err


@sqlite_only
def test_edited_checkpoint_log_is_found_and_clean_copy_passes(settings, record, tmp_path, capsys, database, school):
    from kiosk import keys

    cp = _school_with_checkpoint(settings, record)
    copy = _attack_copy(settings, tmp_path, lambda: None)
    code, out, err = _verify_copy(copy, settings, capsys)
    assert code == 0, err
    assert f"latest checkpoint: event {cp}" in out
    log = keys.checkpoint_log_path(settings)
    log.write_text(log.read_text().replace(f'"seq": {cp}', f'"seq": {cp - 3}'))
    code, out, err = _verify_copy(copy, settings, capsys)
    assert code == 2 and "bad signature" in err


def test_checkpoint_every_n_events_after_commit(settings, database, tmp_path):
    from kiosk import db as dbmod
    from kiosk import keys
    from kiosk.services import audit, checkpoints
    from kiosk.services.actor import shell_actor

    audit.configure_checkpoints(settings.with_(extra={"checkpoint_every": 10}))
    actor = shell_actor("shell:test")
    for i in range(25):
        audit.record(actor, "test.event", "thing", i)
    # A checkpoint inside a transaction that rolls back is never written.
    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        with dbmod.write():
            for i in range(10):
                audit.record(actor, "test.rolled_back", "thing", i)
            raise Boom()
    cps, problems = checkpoints.read_log(keys.checkpoint_log_path(settings), keys.public_key(settings))
    assert problems == [] and [c.seq for c in cps] == [10, 20]
    assert checkpoints.check_database(cps) == []
    audit.configure_checkpoints(settings)
