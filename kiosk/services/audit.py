"""The audit trail: append-only events, each hashing its content and the previous hash.

`verify()` walks the chain and names the first event altered, removed or inserted. The
head of the chain (last seq and hash) is also kept in Meta, updated in the same
transaction, so removing the newest events is caught too. Appending reads the head
under the write lock (IMMEDIATE on SQLite, FOR UPDATE on PostgreSQL), so two
terminals can never fork the chain.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Iterable

from kiosk import db as dbmod
from kiosk.clock import utcnow
from kiosk.db import db
from kiosk.services import fastsql

GENESIS = "0" * 64
HEAD_KEY = "audit_head"

# The append's statements (the same as peewee built from Meta and AuditEvent; tested so).
_HEAD_SQL = "SELECT value FROM meta WHERE key = ?"
_HEAD_CREATE_SQL = "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING"
_HEAD_WRITE_SQL = ("INSERT INTO meta (key, value) VALUES (?, ?) "
                   "ON CONFLICT (key) DO UPDATE SET value = excluded.value")
_INSERT_SQL = ("INSERT INTO audit_event (seq, at, actor_id, actor, origin, action, target_type, "
               "target_id, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


# The hash input is json.dumps([seq, at, actor_id, actor, origin, action, target_type,
# target_id, detail], ensure_ascii=False, separators=(",", ":")). For the usual types (int
# seq, int-or-None actor_id, str elsewhere) it is assembled from the json module's own C
# string encoder, which gives the same bytes at a fraction of the cost (verify of a million
# events must stay under 10 s); anything else goes through the full encoder.
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_STR = json.encoder.encode_basestring  # what that encoder uses for str with ensure_ascii=False
_SHA256 = hashlib.sha256


def _payload(seq, at, actor_id, actor, origin, action, target_type, target_id, detail) -> str:
    if (type(seq) is int and (actor_id is None or type(actor_id) is int) and type(at) is str
            and type(actor) is str and type(origin) is str and type(action) is str
            and type(target_type) is str and type(target_id) is str and type(detail) is str):
        return "[%s,%s,%s,%s,%s,%s,%s,%s,%s]" % (
            int.__repr__(seq), _STR(at), "null" if actor_id is None else int.__repr__(actor_id),
            _STR(actor), _STR(origin), _STR(action), _STR(target_type), _STR(target_id), _STR(detail))
    return _ENCODE([seq, at, actor_id, actor, origin, action, target_type, target_id, detail])


def _digest(prev: str, seq: int, at: str, actor_id, actor: str, origin: str, action: str,
            target_type: str, target_id: str, detail: str) -> str:
    payload = _payload(seq, at, actor_id, actor, origin, action, target_type, target_id, detail)
    return _SHA256((prev + payload).encode("utf-8")).hexdigest()


def read_head(for_update: bool) -> tuple[int, str]:
    from kiosk.models import Meta

    query = Meta.select().where(Meta.key == HEAD_KEY)
    if for_update and not dbmod.is_sqlite():
        query = query.for_update()
    row = query.first()
    if row is None:
        return 0, GENESIS
    seq, digest = row.value.split(":", 1)
    return int(seq), digest


def _write_head(seq: int, digest: str) -> None:
    from kiosk.models import Meta

    value = f"{seq}:{digest}"
    Meta.insert(key=HEAD_KEY, value=value).on_conflict(
        conflict_target=[Meta.key], update={Meta.value: value}
    ).execute()


def record(
    actor,
    action: str,
    target_type: str = "",
    target_id: Any = "",
    detail: dict | None = None,
    records: list[tuple[str, Any]] | None = None,
) -> int:
    """Append one event (inside the caller's transaction if there is one).

    `records`: (table, id) of the records this event created or changed; the hash of each
    one's stored content goes into the event, so `verify_records` finds a later quiet edit.
    """
    # Inside the caller's transaction (the usual case: a write audited with it) the event
    # goes straight in, without a savepoint of its own: a failure here fails the caller's
    # write, which rolls back whole (a savepoint cost two more round trips per event).
    if db.in_transaction():
        with dbmod.translate_errors():
            return _append(actor, action, target_type, target_id, detail, records)
    with dbmod.write():
        return _append(actor, action, target_type, target_id, detail, records)


def _append(actor, action: str, target_type: str, target_id: Any, detail: dict | None,
            records: list[tuple[str, Any]] | None) -> int:
    # Hand-written SQL (kiosk.services.fastsql): every audited view appends here, and
    # building these three statements through peewee cost more than running them.
    if dbmod.is_sqlite():
        row = fastsql.first(_HEAD_SQL, (HEAD_KEY,))
    else:
        # Take the head row lock first; create the head row once if missing.
        fastsql.run(_HEAD_CREATE_SQL, (HEAD_KEY, f"0:{GENESIS}"))
        row = fastsql.first(_HEAD_SQL + " FOR UPDATE", (HEAD_KEY,))
    if row is None:
        prev_seq, prev_hash = 0, GENESIS
    else:
        text_seq, prev_hash = row[0].split(":", 1)
        prev_seq = int(text_seq)
    seq = prev_seq + 1
    at = utcnow().isoformat(timespec="microseconds")
    if records:
        from kiosk import appendonly

        detail = dict(detail or {})
        detail["rec"] = [[t, int(i), appendonly.content_hash(t, i)] for t, i in records]
    detail_text = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True,
                             separators=(",", ":"))
    actor_id = getattr(actor, "user_id", None)
    # (Not `getattr(actor, "username", str(actor))`: that builds an Actor's repr, 0.1 ms, every time.)
    actor_name = actor.username if hasattr(actor, "username") else str(actor)
    origin = getattr(actor, "origin", "")
    tid = "" if target_id is None else str(target_id)
    digest = _digest(prev_hash, seq, at, actor_id, actor_name, origin, action,
                     target_type, tid, detail_text)
    fastsql.run(_INSERT_SQL, (seq, at, actor_id, actor_name, origin, action, target_type, tid,
                              detail_text, prev_hash, digest))
    fastsql.run(_HEAD_WRITE_SQL, (HEAD_KEY, f"{seq}:{digest}"))
    if seq % checkpoint_every() == 0 and _checkpoint_settings is not None:
        settings = _checkpoint_settings
        dbmod.after_commit(lambda: _checkpoint(settings, seq, digest))
    return seq


# Set when a database is opened (kiosk.schema.open_database): where checkpoints go.
_checkpoint_settings = None


def configure_checkpoints(settings) -> None:
    global _checkpoint_settings
    _checkpoint_settings = settings


def checkpoint_every() -> int:
    s = _checkpoint_settings
    return int(s.extra.get("checkpoint_every", 1000)) if s is not None and s.extra else 1000


def _checkpoint(settings, seq: int, digest: str) -> None:
    from kiosk.models import AuditEvent
    from kiosk.services import checkpoints

    try:
        # Only what was really committed is signed (a rolled-back outer transaction must
        # never leave a checkpoint that later looks like tampering).
        row = db.execute_sql(*AuditEvent.select(AuditEvent.hash).where(AuditEvent.seq == seq).sql()).fetchone()
        if row is None or row[0] != digest:
            return
        checkpoints.write_checkpoint(settings, seq, digest, reason="every")
    except Exception:  # noqa: BLE001 - after commit, nothing here may fail the user's save
        # The record is committed; a missed periodic checkpoint is caught up at the next
        # one or at the nightly backup, never a reason to fail the member of staff.
        import logging

        logging.getLogger(__name__).warning("audit checkpoint at event %s not written", seq, exc_info=True)


def verify_records(batch: int = 20_000) -> list[str]:
    """Compare each record's stored content with the hash its latest audit event holds.

    Returns one line per record changed or removed outside the console, naming it.
    """
    from kiosk import appendonly
    from kiosk.models import AuditEvent

    latest: dict[tuple[str, int], tuple[str, int]] = {}
    last_seq = 0
    while True:
        query = (AuditEvent.select(AuditEvent.seq, AuditEvent.detail)
                 .where((AuditEvent.seq > last_seq) & AuditEvent.detail.contains('"rec":'))
                 .order_by(AuditEvent.seq).limit(batch))
        rows = list(db.execute_sql(*query.sql()))
        for seq, detail in rows:
            last_seq = seq
            try:
                recs = json.loads(detail).get("rec") or []
            except ValueError:
                continue
            for table, rid, digest in recs:
                latest[(table, rid)] = (digest, seq)
        if len(rows) < batch:
            break
    removed = _tombstoned()
    problems = []
    for (table, rid), (digest, seq) in sorted(latest.items()):
        if table not in appendonly.PROTECTED:
            continue
        now = appendonly.content_hash(table, rid)
        if now is None:
            if (table, rid) not in removed:
                problems.append(f"{appendonly.label(table, rid)} was removed outside the retention process "
                                f"(last recorded by audit event {seq})")
        elif now != digest:
            problems.append(f"{appendonly.label(table, rid)} was changed outside the console "
                            f"(its content differs from audit event {seq})")
    return problems


def _tombstoned() -> set[tuple[str, int]]:
    """Records the retention process removed (their tombstones name each row)."""
    from kiosk.models import AuditEvent

    out: set[tuple[str, int]] = set()
    query = AuditEvent.select(AuditEvent.detail).where(AuditEvent.action == "retention.removed")
    for (detail,) in db.execute_sql(*query.sql()):
        try:
            for table, rid in json.loads(detail).get("rows", []):
                out.add((table, int(rid)))
        except (ValueError, TypeError):
            continue
    return out


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    problem: str = ""
    seq: int | None = None


def verify(batch: int = 50_000) -> VerifyResult:
    """Walk the whole chain in order. Names the first event that is not as written."""
    from kiosk.models import AuditEvent

    prev_hash = GENESIS
    expected_seq = 1
    checked = 0
    columns = (
        AuditEvent.seq, AuditEvent.at, AuditEvent.actor_id, AuditEvent.actor,
        AuditEvent.origin, AuditEvent.action, AuditEvent.target_type,
        AuditEvent.target_id, AuditEvent.detail, AuditEvent.prev_hash, AuditEvent.hash,
    )
    last_seq = 0
    int_repr, enc, sha = int.__repr__, _STR, _SHA256
    while True:
        query = (
            AuditEvent.select(*columns)
            .where(AuditEvent.seq > last_seq)
            .order_by(AuditEvent.seq)
            .limit(batch)
        )
        # Plain cursor rows: peewee's row wrapping would cost as much as the hashing.
        rows: Iterable = db.execute_sql(*query.sql())
        n = 0
        for seq, at, actor_id, actor, origin, action, ttype, tid, detail, prev, digest in rows:
            n += 1
            # _digest inlined (a million calls): the strings straight to the C encoder, which
            # refuses anything else (TypeError); then, and for any other seq or actor type,
            # the full payload function.
            ok = False
            if type(seq) is int and (actor_id is None or type(actor_id) is int) and prev == prev_hash:
                try:
                    text = "%s[%s,%s,%s,%s,%s,%s,%s,%s,%s]" % (
                        prev, int_repr(seq), enc(at), "null" if actor_id is None else int_repr(actor_id),
                        enc(actor), enc(origin), enc(action), enc(ttype), enc(tid), enc(detail))
                    ok = seq == expected_seq and sha(text.encode("utf-8")).hexdigest() == digest
                except TypeError:
                    pass
            if ok:
                prev_hash = digest
                expected_seq += 1
                checked += 1
                last_seq = seq
                continue
            if seq != expected_seq:
                if seq > expected_seq:
                    return VerifyResult(False, checked, f"event {expected_seq} is missing (removed)", expected_seq)
                return VerifyResult(False, checked, f"event {seq} is out of order", seq)
            if prev != prev_hash:
                return VerifyResult(
                    False, checked,
                    f"event {seq} does not follow event {seq - 1} (an event was removed or inserted)",
                    seq,
                )
            if _digest(prev, seq, at, actor_id, actor, origin, action, ttype, tid, detail) != digest:
                return VerifyResult(False, checked, f"event {seq} was altered", seq)
            prev_hash = digest
            expected_seq += 1
            checked += 1
            last_seq = seq
        if n < batch:
            break
    head_seq, head_hash = read_head(for_update=False)
    if head_seq != checked or head_hash != prev_hash:
        if head_seq > checked:
            return VerifyResult(
                False, checked,
                f"events {checked + 1} to {head_seq} are missing (the newest events were removed)",
                checked + 1,
            )
        return VerifyResult(False, checked, "the chain head does not match the last event", head_seq)
    return VerifyResult(True, checked)
