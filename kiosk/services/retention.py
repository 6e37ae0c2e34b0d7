"""The retention review queue and the only way records are ever removed.

Records reach their review date by the profile's rules (kiosk.rules.retention). The DSL
team reviews records about children, the headteacher those about adults. Removal is a
decision with a reason, proposed by one person and confirmed by a second who holds the
same capability; it deletes the record and everything hanging off it inside one
transaction with the append-only gate open (kiosk.appendonly), and leaves a tombstone
(what, when, who, why; never the content) in the audit trail and the chronology.
Records under a legal hold never appear in the queue and cannot be proposed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kiosk import db as dbmod
from kiosk.capabilities import Cap
from kiosk.clock import today as clock_today, utcnow
from kiosk.errors import NotFound, PermissionDenied, ValidationError
from kiosk.rules.retention import RetentionRules, add_years, adult_due, child_record_due, is_held
from kiosk.services import audit, people
from kiosk.services.actor import Actor, require
from kiosk.text import clean

CHILD = "concern"
ADULT = "adult_concern"
EARLY_HELP = "early_help"  # all the early-help records of one pupil (record_id: the pupil)
CAP_FOR = {CHILD: Cap.RETENTION_CHILDREN, ADULT: Cap.RETENTION_ADULTS, EARLY_HELP: Cap.RETENTION_CHILDREN}


@dataclass(frozen=True)
class Proposal:
    id: int
    by_id: int
    by: str
    reason: str


@dataclass(frozen=True)
class ReviewItem:
    record_type: str
    record_id: int
    ref: str
    summary: str  # no content: the kind of record, who it is about, when it was written
    due: date
    rule: str
    proposal: Proposal | None


@dataclass(frozen=True)
class Queue:
    items: list[ReviewItem]
    held: int  # due but under a legal hold (never offered)


def _rules(rules: RetentionRules | None) -> RetentionRules:
    if rules is not None:
        return rules
    from kiosk.rules import load_profile

    return load_profile().retention or RetentionRules()


def _ref(record_type: str, record_id: int) -> str:
    prefix = {CHILD: "C", ADULT: "A", EARLY_HELP: "EH"}[record_type]
    return f"{prefix}-{record_id:05d}"


# The early-help tables that hang off a pupil directly (their own parts follow by foreign key).
def _early_help_roots():
    from kiosk.models.early_help import AgencyReferral, EarlyHelpAttendance, EarlyHelpEnrolment, EarlyHelpReferral

    # Enrolments first: an enrolment may point at the referral it came from.
    return (EarlyHelpEnrolment, EarlyHelpReferral, AgencyReferral, EarlyHelpAttendance)


def _early_help_due(rules: RetentionRules, on: date, only: int | None = None):
    from kiosk.models.pupils import Pupil

    cutoff = add_years(on, -rules.early_help_until_age)
    counts: dict[int, int] = {}
    for model in _early_help_roots():
        query = model.select(model.pupil).join(Pupil, on=(Pupil.id == model.pupil)).where(Pupil.date_of_birth <= cutoff)
        if only is not None:
            query = query.where(model.pupil == only)
        for (pid,) in query.tuples():
            counts[pid] = counts.get(pid, 0) + 1
    if not counts:
        return []
    pupils = {p.id: p for p in Pupil.select().where(Pupil.id.in_(list(counts)))}
    out = []
    for pid, n in counts.items():
        due = child_record_due([pupils[pid].date_of_birth], rules, early_help=True)
        out.append((pid, due.on, due.rule, False, f"Early help: {pupils[pid].display_name} ({n})"))
    return out


# -- what is due -----------------------------------------------------------------------------

def _child_due(rules: RetentionRules, on: date, only: int | None = None):
    """(concern id, due, rule, held, summary) for concerns at or past their review date."""
    from peewee import fn

    from kiosk.models.concerns import Concern, ConcernCategoryLink, ConcernPupil
    from kiosk.models.pupils import Pupil

    cutoff = add_years(on, -rules.child_protection_until_age)
    query = (ConcernPupil.select(ConcernPupil.concern, fn.MAX(Pupil.date_of_birth))
             .join(Pupil, on=(Pupil.id == ConcernPupil.pupil))
             .group_by(ConcernPupil.concern)
             .having(fn.MAX(Pupil.date_of_birth) <= cutoff))
    if only is not None:
        query = query.where(ConcernPupil.concern == only)
    rows = list(query.tuples())
    if not rows:
        return []
    ids = [r[0] for r in rows]
    cats: dict[int, list[str]] = {}
    for cid, key in ConcernCategoryLink.select(ConcernCategoryLink.concern, ConcernCategoryLink.category) \
            .where(ConcernCategoryLink.concern.in_(ids)).tuples():
        cats.setdefault(cid, []).append(key)
    recorded = dict(Concern.select(Concern.id, Concern.recorded_at).where(Concern.id.in_(ids)).tuples())
    out = []
    for cid, dob in rows:
        dob = dob if isinstance(dob, date) else date.fromisoformat(str(dob))
        due = child_record_due([dob], rules)
        when = recorded.get(cid)
        summary = f"Concern of {str(when)[:10]}" if when else "Concern"
        out.append((cid, due.on, due.rule, is_held(cats.get(cid, []), rules), summary))
    return out


def _adult_due(rules: RetentionRules, on: date, only: int | None = None):
    from kiosk.models import User
    from kiosk.models.adults import AdultConcern, AdultConcernEvent

    query = AdultConcern.select(AdultConcern.id, AdultConcern.kind, AdultConcern.created_at,
                                AdultConcern.subject_dob, AdultConcern.subject_user)
    if only is not None:
        query = query.where(AdultConcern.id == only)
    rows = list(query.tuples())
    if not rows:
        return []
    ids = [r[0] for r in rows]
    outcomes = dict(AdultConcernEvent.select(AdultConcernEvent.concern, AdultConcernEvent.choice)
                    .where(AdultConcernEvent.concern.in_(ids) & (AdultConcernEvent.kind == "outcome")).tuples())
    users = [r[4] for r in rows if r[4] is not None]
    left = dict(User.select(User.id, User.deactivated_at).where(User.id.in_(users)).tuples()) if users else {}
    out = []
    for aid, kind, created, dob, subject in rows:
        created_on = created.date() if hasattr(created, "date") else date.fromisoformat(str(created)[:10])
        left_at = left.get(subject)
        left_on = left_at.date() if hasattr(left_at, "date") else None
        due = adult_due(kind, created_on, dob, outcomes.get(aid), left_on, rules)
        if due.on is None or due.on > on:
            continue
        held = kind == "allegation" and rules.legal_hold_adult_allegations
        label = "Allegation" if kind == "allegation" else "Low-level concern"
        out.append((aid, due.on, due.rule, held, f"{label} of {created_on.isoformat()}"))
    return out


def _decisions(record_type: str, ids: list[int]):
    from kiosk.models.retention import RetentionDecision as D

    if not ids:
        return {}, {}
    pending, kept = {}, {}
    for d in D.select().where((D.record_type == record_type) & D.record_id.in_(ids)).order_by(D.id):
        if d.kind == "remove" and d.state == "pending":
            pending[d.record_id] = d
        elif d.kind == "keep":
            kept[d.record_id] = max(kept.get(d.record_id, d.keep_until), d.keep_until)
    return pending, kept


def queue(actor: Actor, rules: RetentionRules | None = None, on: date | None = None) -> Queue:
    """Records at or past their review date that this person reviews. Audited."""
    _reviewer(actor)
    rules = _rules(rules)
    on = on or clock_today()

    items: list[ReviewItem] = []
    held = 0
    with dbmod.translate_errors():
        for record_type, cap, finder in ((CHILD, Cap.RETENTION_CHILDREN, _child_due),
                                          (EARLY_HELP, Cap.RETENTION_CHILDREN, _early_help_due),
                                          (ADULT, Cap.RETENTION_ADULTS, _adult_due)):
            if not actor.can(cap):
                continue
            due = finder(rules, on)
            pending, kept = _decisions(record_type, [d[0] for d in due])
            names = people.names([p.proposed_by_id for p in pending.values()])
            for rid, due_on, rule, is_held_, summary in due:
                if is_held_:
                    held += 1
                    continue
                if kept.get(rid) and kept[rid] > on:
                    continue
                p = pending.get(rid)
                proposal = Proposal(p.id, p.proposed_by_id, names.get(p.proposed_by_id, "?"), p.reason) if p else None
                items.append(ReviewItem(record_type, rid, _ref(record_type, rid), summary, due_on, rule, proposal))
        items.sort(key=lambda i: (i.due, i.record_type, i.record_id))
        audit.record(actor, "retention.queue_view", "retention", "", {"items": len(items), "held": held})
    return Queue(items, held)


def _check_due(record_type: str, record_id: int, rules: RetentionRules, on: date) -> str:
    finder = {CHILD: _child_due, ADULT: _adult_due, EARLY_HELP: _early_help_due}[record_type]
    found = [d for d in finder(rules, on, only=record_id) if d[0] == record_id]
    if not found or found[0][1] is None or found[0][1] > on:
        raise ValidationError("record", f"{_ref(record_type, record_id)} is not due for review")
    if found[0][3]:
        raise ValidationError("record", f"{_ref(record_type, record_id)} is under a legal hold and is never removed")
    return found[0][2]


def _reviewer(actor: Actor) -> None:
    """Refuse anyone who reviews no records, before a decision is looked up or the input is
    judged (the record type decides which of the two capabilities `_cap` then asks for)."""
    if not (actor.can(Cap.RETENTION_CHILDREN) or actor.can(Cap.RETENTION_ADULTS)):
        require(actor, Cap.RETENTION_CHILDREN)


def _cap(actor: Actor, record_type: str) -> None:
    if record_type not in CAP_FOR:
        raise ValidationError("record_type", f"unknown record type {record_type!r}")
    require(actor, CAP_FOR[record_type])


def _reason(text: str) -> str:
    text = clean(text, "reason", multiline=True, max_length=2000)
    if len(text.strip()) < 10:
        raise ValidationError("reason", "give the reason for the decision (at least a sentence)")
    return text.strip()


def propose_removal(actor: Actor, record_type: str, record_id: int, reason: str,
                    rules: RetentionRules | None = None, on: date | None = None) -> int:
    """Propose removing a record that is due; a second person must confirm it."""
    _reviewer(actor)
    from kiosk.models.retention import RetentionDecision as D

    _cap(actor, record_type)
    reason = _reason(reason)
    rules, on = _rules(rules), on or clock_today()
    with dbmod.write():
        rule = _check_due(record_type, record_id, rules, on)
        if D.select().where((D.record_type == record_type) & (D.record_id == record_id)
                            & (D.kind == "remove") & (D.state == "pending")).exists():
            raise ValidationError("record", f"{_ref(record_type, record_id)} already has a removal waiting for confirmation")
        d = D.create(record_type=record_type, record_id=record_id, kind="remove", reason=reason, rule=rule,
                     proposed_by=actor.user_id, proposed_at=utcnow())
        audit.record(actor, "retention.propose", record_type, record_id, {"decision": d.id})
    return d.id


def keep(actor: Actor, record_type: str, record_id: int, reason: str,
         rules: RetentionRules | None = None, on: date | None = None) -> date:
    """Reviewed and kept for now: back in the queue after keep_review_years."""
    _reviewer(actor)
    from kiosk.models.retention import RetentionDecision as D

    _cap(actor, record_type)
    reason = _reason(reason)
    rules, on = _rules(rules), on or clock_today()
    until = add_years(on, rules.keep_review_years)
    with dbmod.write():
        rule = _check_due(record_type, record_id, rules, on)
        D.update(state="withdrawn").where((D.record_type == record_type) & (D.record_id == record_id)
                                          & (D.kind == "remove") & (D.state == "pending")).execute()
        D.create(record_type=record_type, record_id=record_id, kind="keep", reason=reason, rule=rule,
                 proposed_by=actor.user_id, proposed_at=utcnow(), keep_until=until, state="kept")
        audit.record(actor, "retention.keep", record_type, record_id, {"until": until.isoformat()})
    return until


def confirm_removal(actor: Actor, decision_id: int, rules: RetentionRules | None = None,
                    on: date | None = None) -> str:
    """The second person confirms: the record goes, a tombstone stays. Returns its ref."""
    _reviewer(actor)
    from kiosk.models import User
    from kiosk.models.retention import RetentionDecision as D, RetentionTombstone

    rules, on = _rules(rules), on or clock_today()
    with dbmod.write():
        d = D.get_or_none(D.id == decision_id)
        if d is None or d.kind != "remove" or d.state != "pending":
            raise NotFound("no removal waiting for confirmation with that number")
        _cap(actor, d.record_type)
        if actor.user_id is None or actor.user_id == d.proposed_by_id:
            raise PermissionDenied(CAP_FOR[d.record_type],
                                   "A second person must confirm a removal; you proposed this one.")
        rule = _check_due(d.record_type, d.record_id, rules, on)  # still due, still not held
        ref = _ref(d.record_type, d.record_id)
        pupil_ids = _pupils_of(d.record_type, d.record_id)
        from kiosk import appendonly

        with appendonly.retention_gate():
            rows = _delete_record(d.record_type, d.record_id)
        proposer = User.get_by_id(d.proposed_by_id).full_name
        RetentionTombstone.create(
            record_type=d.record_type, record_id=d.record_id, ref=ref,
            pupil_ids="," + ",".join(map(str, pupil_ids)) + "," if pupil_ids else "",
            rule=rule, reason=d.reason, proposed_by=proposer, confirmed_by=actor.full_name,
            removed_at=utcnow())
        D.update(state="removed", confirmed_by=actor.user_id, confirmed_at=utcnow()).where(D.id == d.id).execute()
        audit.record(actor, "retention.removed", d.record_type, d.record_id, {
            "ref": ref, "rule": rule, "reason": d.reason, "proposed_by": proposer,
            "confirmed_by": actor.full_name, "decision": d.id, "rows": rows,
        })
    return ref


def withdraw(actor: Actor, decision_id: int) -> None:
    _reviewer(actor)
    from kiosk.models.retention import RetentionDecision as D

    with dbmod.write():
        d = D.get_or_none(D.id == decision_id)
        if d is None or d.kind != "remove" or d.state != "pending":
            raise NotFound("no removal waiting for confirmation with that number")
        _cap(actor, d.record_type)
        D.update(state="withdrawn").where(D.id == d.id).execute()
        audit.record(actor, "retention.withdraw", d.record_type, d.record_id, {"decision": d.id})


def _pupils_of(record_type: str, record_id: int) -> list[int]:
    if record_type == EARLY_HELP:
        return [record_id]
    if record_type != CHILD:
        return []
    from kiosk.models.concerns import ConcernPupil

    return sorted(p for (p,) in ConcernPupil.select(ConcernPupil.pupil)
                  .where(ConcernPupil.concern == record_id).tuples())


def _delete_record(record_type: str, record_id: int) -> list[list]:
    """Delete the record and every row that refers to it (found from the foreign keys, so a
    table another feature adds later is included). Returns [table, id] of each row."""
    from kiosk.models import Alert, REGISTRY
    from kiosk.models.adults import AdultConcern
    from kiosk.models.concerns import Concern

    removed: list[list] = []

    def dependents(target):
        for m in REGISTRY:
            for f in m._meta.fields.values():
                if getattr(f, "rel_model", None) is target and m is not target:
                    yield m, f

    def delete(target, ids: list[int]):
        if not ids:
            return
        for m, f in dependents(target):
            pk = m._meta.primary_key
            child_ids = [r for (r,) in m.select(pk).where(f.in_(ids)).tuples()]
            delete(m, child_ids)
        pk = target._meta.primary_key
        for i in ids:
            removed.append([target._meta.table_name, i])
        target.delete().where(pk.in_(ids)).execute()

    if record_type == EARLY_HELP:
        for root in _early_help_roots():
            pk = root._meta.primary_key
            delete(root, [r for (r,) in root.select(pk).where(root.pupil == record_id).tuples()])
        return removed
    delete(Concern if record_type == CHILD else AdultConcern, [record_id])
    Alert.delete().where((Alert.record_type == record_type) & (Alert.record_id == record_id)).execute()
    return removed


def tombstones_for_pupil(actor: Actor, pupil_id: int):
    """What was removed from the pupil's records (for their chronology): no content."""
    require(actor, Cap.CHRONOLOGY_VIEW)
    from kiosk.models.retention import RetentionTombstone as T

    return list(T.select().where(T.pupil_ids.contains(f",{pupil_id},")).order_by(T.removed_at))
