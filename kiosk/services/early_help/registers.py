"""Early help: sessions and registers (pupils, walk-ins, families at a workshop)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any, Iterable, Mapping

from peewee import JOIN

from kiosk import db as dbmod
from kiosk.capabilities import Cap
from kiosk.clock import today, utcnow
from kiosk.errors import NotFound, ValidationError
from kiosk.services import audit
from kiosk.services.actor import Actor, require
from kiosk.text import clean

from kiosk.services.early_help.common import (
    FAMILY_REGISTER_KINDS,
    FamilyLine,
    FamilyMark,
    Mark,
    NOTE_MAX,
    PUPIL_REGISTER_KINDS,
    RegisterLine,
    RegisterResult,
    RegisterSheet,
    SessionSpec,
    SessionView,
    all_names,
    as_date,
    fk_id,
    offer_row,
    offer_view,
    staff_user_id,
)
from kiosk.services.early_help import registers_sql
from kiosk.services.early_help.enrolments import (
    enrolment_model,
)


# ---------------------------------------------------------------------------------------------
# Sessions and registers
# ---------------------------------------------------------------------------------------------


def _enrolled_on(offer_id: int, on: date) -> list:
    """Pupils enrolled in the offer on a date (started by then, not ended before it)."""
    from kiosk.models.early_help import EarlyHelpEnrolmentEnd as End
    from kiosk.models.pupils import Pupil

    E = enrolment_model()
    q = (
        Pupil.select(Pupil)
        .join(E, on=(E.pupil == Pupil.id))
        .join(End, on=(End.enrolment == E.id), join_type=JOIN.LEFT_OUTER)
        .where((E.offer == offer_id) & (E.start_on <= on) & (End.id.is_null() | (End.ended_on >= on)))
        .distinct()
        .order_by(Pupil.last_key, Pupil.first_key)
    )
    return list(q)


def _find_session(spec):
    from kiosk.models.early_help import EarlyHelpSession as S

    if isinstance(spec, int) and not isinstance(spec, bool):
        s = S.get_or_none(S.id == spec)
        if s is None:
            raise NotFound(f"no session with id {spec}")
        return s, offer_row(s.offer_id), s.held_on, s.label
    if isinstance(spec, Mapping):
        spec = SessionSpec(spec.get("offer"), spec.get("held_on"), spec.get("label", ""))
    if isinstance(spec, tuple) and not isinstance(spec, SessionSpec):
        spec = SessionSpec(*spec)
    if not isinstance(spec, SessionSpec):
        raise ValidationError("session", "name a session (id, or offer and date)")
    o = offer_row(spec.offer)
    held_on = as_date(spec.held_on, "session date")
    label = clean(spec.label, "session label")
    s = S.get_or_none((S.offer == o.id) & (S.held_on == held_on) & (S.label == label))
    return s, o, held_on, label


def _find_session_id(spec):
    """`_find_session` with the session as its id, through registers_sql (one statement each
    for the offer and the session, no query building) when named by offer, date and label."""
    if isinstance(spec, Mapping):
        spec = SessionSpec(spec.get("offer"), spec.get("held_on"), spec.get("label", ""))
    if isinstance(spec, tuple) and not isinstance(spec, SessionSpec):
        spec = SessionSpec(*spec)
    if not isinstance(spec, SessionSpec) or isinstance(spec.offer, bool) or not isinstance(spec.offer, (int, str)):
        s, o, held_on, label = _find_session(spec)
        return (s.id if s is not None else None), o, held_on, label
    o = registers_sql.offer_where("id" if isinstance(spec.offer, int) else "key", spec.offer)
    if o is None:
        offer_row(spec.offer)  # raises its ValidationError
    held_on = as_date(spec.held_on, "session date")
    label = clean(spec.label, "session label")
    return registers_sql.session_id(o.id, held_on, label), o, held_on, label


def _new_session(actor, o, held_on, label):
    from kiosk.models.early_help import EarlyHelpSession as S

    if o.retired_at is not None:
        raise ValidationError("offer", f"{o.name!r} has been retired; no new sessions")
    return S.create(offer=o.id, held_on=held_on, label=label, created_by=staff_user_id(actor), created_at=utcnow())


def _check_session_date(held_on: date) -> None:
    if held_on > today():
        raise ValidationError(
            "session date", f"{held_on:%d %b %Y} is in the future: take the register on the day, after the session"
        )


def register_sheet(actor: Actor, session: int | SessionSpec | Mapping) -> RegisterSheet:
    """The lines to mark: pupils enrolled on the day, plus anyone already on the register."""
    require(actor, Cap.EARLY_HELP_VIEW)
    from kiosk.models.early_help import EarlyHelpAttendance as A
    from kiosk.models.pupils import Pupil

    s, o, held_on, label = _find_session(session)
    if o.kind not in PUPIL_REGISTER_KINDS:
        raise ValidationError("offer", f"{o.name!r} records families, not pupils")
    enrolled = _enrolled_on(o.id, held_on)
    enrolled_ids = {p.id for p in enrolled}
    recorded = {}
    if s is not None:
        q = (A.select(A, Pupil).join(Pupil, on=(A.pupil == Pupil.id))
             .where((A.session == s.id) & A.superseded_at.is_null()))
        recorded = {a.pupil.id: a for a in q}
    lines = []
    for p in enrolled:
        a = recorded.get(p.id)
        lines.append(RegisterLine(p.id, p.display_name, p.form_group, True,
                                  bool(a and a.present), a.note if a else ""))
    extra = sorted((a for pid, a in recorded.items() if pid not in enrolled_ids),
                   key=lambda a: (a.pupil.last_key, a.pupil.first_key))
    for a in extra:
        lines.append(RegisterLine(a.pupil.id, a.pupil.display_name, a.pupil.form_group, False,
                                  a.present, a.note))
    names = all_names()
    taken_by = names.get(fk_id(s, "register_taken_by"), "") if s is not None else ""
    return RegisterSheet(s.id if s else None, offer_view(o), held_on, label, tuple(lines),
                         s.register_taken_at if s else None, taken_by)


def _normalise_marks(attendance) -> dict[int, tuple[bool, str]]:
    if not isinstance(attendance, Mapping) or not attendance:
        raise ValidationError("register", "mark at least one pupil")
    out = {}
    for pid, mark in attendance.items():
        if not isinstance(pid, int) or isinstance(pid, bool):
            raise ValidationError("register", f"{pid!r} is not a pupil id")
        if isinstance(mark, bool):
            present, note = mark, ""
        elif isinstance(mark, Mark):
            present, note = mark.present, mark.note
        elif isinstance(mark, Mapping):
            present, note = mark.get("present"), mark.get("note", "")
        elif isinstance(mark, tuple) and len(mark) == 2:
            present, note = mark
        elif mark in ("present", "absent"):
            present, note = mark == "present", ""
        else:
            raise ValidationError("register", f"mark for pupil {pid} must be present or absent")
        if not isinstance(present, bool):
            raise ValidationError("register", f"mark for pupil {pid} must be present or absent")
        out[pid] = (present, clean(note, "note", max_length=500))
    return out


def take_register(actor: Actor, session: int | SessionSpec | Mapping,
                  attendance: Mapping[int, Any], reason: str = "") -> RegisterResult:
    """Save a whole register in one transaction (pupils not enrolled count as walk-ins).

    `session` is a session id or a SessionSpec(offer id or key, date, label); the session is
    created with the register. `attendance` maps pupil id -> bool, Mark, {"present", "note"}
    or (present, note). Taking a register again corrects it: `reason` is then required and
    the earlier marks stay in the record, superseded.
    """
    require(actor, Cap.EARLY_HELP_MANAGE)
    from kiosk.models.early_help import EarlyHelpAttendance as A

    uid = staff_user_id(actor)
    marks = _normalise_marks(attendance)
    why = clean(reason, "reason", multiline=True, max_length=NOTE_MAX)
    now = utcnow()
    with dbmod.write():
        # Hand-written SQL (registers_sql, beside this module) for the reads and writes of
        # every register; the rare correction of a register taken before stays on the ORM.
        sid, o, held_on, label = _find_session_id(session)
        _check_session_date(held_on)
        if o.kind not in PUPIL_REGISTER_KINDS:
            raise ValidationError("offer", f"{o.name!r} records families: use the family register")
        found = registers_sql.existing_pupils(marks)
        missing = sorted(set(marks) - found)
        if missing:
            raise ValidationError("register", f"no pupil with id {missing[0]}")
        corrected = False
        if sid is None:
            if o.retired_at is not None:
                raise ValidationError("offer", f"{o.name!r} has been retired; no new sessions")
            sid = registers_sql.new_session(o.id, held_on, label, uid, utcnow())
        else:
            current = A.select(A.id).where((A.session == sid) & A.superseded_at.is_null())
            if current.exists():
                if not why:
                    raise ValidationError("reason", "this register was already taken: say why it is being corrected")
                A.update(superseded_at=now).where((A.session == sid) & A.superseded_at.is_null()).execute()
                corrected = True
        enrolled = registers_sql.enrolled_ids(o.id, held_on)
        rows = [(pid, present, pid not in enrolled, note) for pid, (present, note) in sorted(marks.items())]
        registers_sql.insert_marks(sid, rows, uid, now)
        registers_sql.mark_taken(sid, uid, now)
        present = sum(1 for p, _ in marks.values() if p)
        walk_ins = sum(1 for r in rows if r[2])
        audit.record(actor, "early_help.register_correct" if corrected else "early_help.register",
                     "early_help_session", sid,
                     {"present": present, "absent": len(marks) - present, "walk_ins": walk_ins,
                      **({"reason": why} if corrected else {})})
    return RegisterResult(sid, present, len(marks) - present, walk_ins, corrected)


def _family_label(value: str, i: int) -> str:
    return clean(value, f"family {i}", required=True, max_length=100)


def family_register(actor: Actor, session: int | SessionSpec | Mapping) -> tuple[int | None, tuple[FamilyLine, ...]]:
    require(actor, Cap.EARLY_HELP_VIEW)
    from kiosk.models.early_help import EarlyHelpFamilyAttendance as F

    s, o, _, _ = _find_session(session)
    if o.kind not in FAMILY_REGISTER_KINDS:
        raise ValidationError("offer", f"{o.name!r} records pupils, not families")
    if s is None:
        return None, ()
    q = F.select().where((F.session == s.id) & F.superseded_at.is_null()).order_by(F.id)
    return s.id, tuple(FamilyLine(f.family, f.adults, f.note) for f in q)


def take_family_register(actor: Actor, session: int | SessionSpec | Mapping,
                         families: Iterable[FamilyMark | tuple | str], reason: str = "") -> RegisterResult:
    """A parent workshop: who came, by family label and number of adults; no pupil details."""
    require(actor, Cap.EARLY_HELP_MANAGE)
    from kiosk.models.early_help import EarlyHelpFamilyAttendance as F, EarlyHelpSession as S
    from kiosk.models.pupils import Pupil

    uid = staff_user_id(actor)
    marks: list[tuple[str, int, str]] = []
    for i, fam in enumerate(families, 1):
        if isinstance(fam, str):
            fam = FamilyMark(fam)
        elif isinstance(fam, tuple):
            fam = FamilyMark(*fam)
        label = _family_label(fam.family, i)
        if not isinstance(fam.adults, int) or isinstance(fam.adults, bool) or not 1 <= fam.adults <= 10:
            raise ValidationError(f"family {i}", "adults must be a number from 1 to 10")
        marks.append((label, fam.adults, clean(fam.note, f"family {i} note", max_length=500)))
    if not marks:
        raise ValidationError("register", "record at least one family")
    if len({m[0].lower() for m in marks}) != len(marks):
        raise ValidationError("register", "each family is listed once")
    why = clean(reason, "reason", multiline=True, max_length=NOTE_MAX)
    now = utcnow()
    with dbmod.write():
        for i, (label, _, _) in enumerate(marks, 1):
            words = label.lower().split()
            for a, b in zip(words, words[1:]):
                if Pupil.select().where((Pupil.first_key == a) & (Pupil.last_key == b)).exists():
                    raise ValidationError(
                        f"family {i}", "looks like a pupil's name: record families by a label, not a child's details"
                    )
        s, o, held_on, label = _find_session(session)
        _check_session_date(held_on)
        if o.kind not in FAMILY_REGISTER_KINDS:
            raise ValidationError("offer", f"{o.name!r} records pupils: use the pupil register")
        corrected = False
        if s is None:
            s = _new_session(actor, o, held_on, label)
        elif F.select().where((F.session == s.id) & F.superseded_at.is_null()).exists():
            if not why:
                raise ValidationError("reason", "this register was already taken: say why it is being corrected")
            F.update(superseded_at=now).where((F.session == s.id) & F.superseded_at.is_null()).execute()
            corrected = True
        F.insert_many([
            dict(session=s.id, family=f, adults=n, note=note, recorded_by=uid, recorded_at=now)
            for f, n, note in marks
        ]).execute()
        S.update(register_taken_at=now, register_taken_by=uid).where(S.id == s.id).execute()
        audit.record(actor, "early_help.family_register", "early_help_session", s.id,
                     {"families": len(marks), **({"reason": why} if corrected else {})})
    return RegisterResult(s.id, len(marks), 0, 0, corrected)


def list_sessions(actor: Actor, offer: int | str | None = None, since: date | None = None,
                  limit: int = 200) -> list[SessionView]:
    require(actor, Cap.EARLY_HELP_VIEW)
    from peewee import fn

    from kiosk.models.early_help import (
        EarlyHelpAttendance as A,
        EarlyHelpFamilyAttendance as F,
        EarlyHelpOffer as O,
        EarlyHelpSession as S,
    )

    q = S.select(S, O).join(O, on=(S.offer == O.id)).order_by(S.held_on.desc(), S.id.desc()).limit(limit)
    if offer is not None:
        q = q.where(S.offer == offer_row(offer).id)
    if since is not None:
        q = q.where(S.held_on >= since)
    sessions = list(q)
    ids = [s.id for s in sessions]
    counts: dict[int, Counter] = defaultdict(Counter)
    if ids:
        agg = (A.select(A.session, A.present, A.walk_in, fn.COUNT(A.id))
               .where(A.session.in_(ids) & A.superseded_at.is_null())
               .group_by(A.session, A.present, A.walk_in).tuples())
        for sid, present, walk_in, n in agg:
            counts[sid]["present" if present else "absent"] += n
            if walk_in:
                counts[sid]["walk_ins"] += n
        fams = (F.select(F.session, fn.COUNT(F.id)).where(F.session.in_(ids) & F.superseded_at.is_null())
                .group_by(F.session).tuples())
        for sid, n in fams:
            counts[sid]["families"] = n
    return [
        SessionView(s.id, s.offer.id, s.offer.name, s.offer.kind, s.held_on, s.label,
                    s.register_taken_at is not None, counts[s.id]["present"], counts[s.id]["absent"],
                    counts[s.id]["walk_ins"], counts[s.id]["families"])
        for s in sessions
    ]
