"""Pupils: find by name prefix, add and correct details, and the DSL team's flags."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kiosk import db as dbmod
from kiosk.capabilities import Cap
from kiosk.clock import today
from kiosk.errors import NotFound, ValidationError
from kiosk.services import audit
from kiosk.services.actor import Actor, require
from kiosk.text import clean


@dataclass(frozen=True)
class PupilSummary:
    id: int
    name: str  # preferred first name + last name
    full_name: str
    date_of_birth: date
    year_group: int
    form_group: str
    upn: str | None
    flags: tuple[str, ...]  # keys of flags that are set (only for those who may see them)
    other_label: str = ""  # the label of the "other" flag (only with flags)
    on_roll: bool = True  # False: left, or a child not on roll
    status_note: str = ""  # "left 20/07/2026", "not on roll"


def _flags_of(p) -> tuple[str, ...]:
    from kiosk.models.pupils import PUPIL_FLAGS

    return tuple(k for k in PUPIL_FLAGS if getattr(p, k))


def flag_names(s: "PupilSummary") -> list[str]:
    """The set flags' labels, the DSL's own label for "other"."""
    from kiosk.rules.flags import flag_label

    return [flag_label(k, s.other_label) for k in s.flags]


def summary(p, show_flags: bool) -> PupilSummary:
    """A model row or a `pupils_sql.PupilRow` (the search's rows, which set_flags() reads by
    position: a getattr per flag was a sixth of a search)."""
    flags, other_label = (), ""
    if show_flags:
        set_flags = getattr(p, "set_flags", None)
        flags = set_flags() if set_flags is not None else _flags_of(p)
        other_label = p.other_label if "other" in flags else ""
    status, active = p.status, p.active
    # Positional, in PupilSummary's field order.
    return PupilSummary(
        p.id, p.display_name, f"{p.first_name} {p.last_name}", p.date_of_birth, p.year_group,
        p.form_group, p.upn, flags, other_label, active and status != "not_on_roll",
        "not on roll" if status == "not_on_roll"
        else (f"left {p.left_on:%d/%m/%Y}" if not active and p.left_on else ("left" if not active else "")),
    )


def search(actor: Actor, text: str, limit: int = 20, on_roll_only: bool = False) -> list[PupilSummary]:
    """Pupils whose first, preferred or last name starts with what was typed.

    Two words ("sam jo") match first-name prefix and last-name prefix. Flags are
    shown only to those who keep them (the DSL team).
    """
    if not (actor.can(Cap.PUPIL_SEARCH) or actor.can(Cap.PUPIL_MANAGE)):
        require(actor, Cap.PUPIL_SEARCH)
    words = clean(text, "search", max_length=100).lower().split()
    if not words:
        return []

    # Hand-written SQL (kiosk.services.pupils_sql): this runs on every key typed.
    from kiosk.services import pupils_sql

    rows = pupils_sql.search_rows(words, "roll" if on_roll_only else None, limit)
    show = actor.can(Cap.PUPIL_FLAGS_EDIT) or actor.can(Cap.CHRONOLOGY_VIEW)
    return [summary(p, show) for p in rows]


def _search_orm(words: list[str], on_roll_only: bool, limit: int) -> list:
    """The same question through peewee (the tests hold `pupils_sql` to its answers)."""
    from kiosk.models.pupils import Pupil

    def prefix(field, word):
        return (field >= word) & (field < word + "\uffff")

    if len(words) == 1:
        w = words[0]
        cond = prefix(Pupil.first_key, w) | prefix(Pupil.last_key, w) | prefix(Pupil.preferred_key, w)
    else:
        a, b = words[0], words[-1]
        cond = (prefix(Pupil.first_key, a) | prefix(Pupil.preferred_key, a)) & prefix(Pupil.last_key, b)
    if on_roll_only:
        cond = cond & (Pupil.status == "roll")
    return list(Pupil.select().where(cond & (Pupil.active == True))  # noqa: E712
                .order_by(Pupil.last_key, Pupil.first_key).limit(limit))


def get(actor: Actor, pupil_id: int):
    """The pupil row (for services that need it, and that checked their own capability)."""
    from kiosk.models.pupils import Pupil

    require(actor, Cap.PUPIL_SEARCH)

    p = Pupil.get_or_none(Pupil.id == pupil_id)
    if p is None:
        raise NotFound(f"no pupil with id {pupil_id}")
    return p


def check_exists(actor: Actor, pupil_id: int) -> None:
    """`get`'s checks (the capability, NotFound for an unknown pupil) without reading the row."""
    from kiosk.services import fastsql

    require(actor, Cap.PUPIL_SEARCH)
    if fastsql.first("SELECT 1 FROM pupil WHERE id = ?", (pupil_id,)) is None:
        raise NotFound(f"no pupil with id {pupil_id}")


def pupil_summary(actor: Actor, pupil_id: int) -> PupilSummary:
    require(actor, Cap.PUPIL_SEARCH)
    show = actor.can(Cap.PUPIL_FLAGS_EDIT) or actor.can(Cap.CHRONOLOGY_VIEW)
    return summary(get(actor, pupil_id), show)


def _validate(first_name, last_name, preferred_name, date_of_birth, year_group, form_group, upn):
    first = clean(first_name, "first name", required=True, max_length=100)
    last = clean(last_name, "last name", required=True, max_length=100)
    preferred = clean(preferred_name, "preferred name", max_length=100)
    form = clean(form_group, "form group", max_length=20)
    number = clean(upn, "unique pupil number", max_length=13) or None
    if number and not (len(number) == 13 and number[0].isalpha() and number[1:].isdigit()):
        raise ValidationError("unique pupil number", "must be a letter followed by 12 digits")
    if not isinstance(date_of_birth, date):
        raise ValidationError("date of birth", "must be a date")
    if date_of_birth > today():
        raise ValidationError("date of birth", "is in the future")
    if not isinstance(year_group, int) or not -1 <= year_group <= 14:
        raise ValidationError("year group", "must be a year from Reception (0) to 14")
    return first, last, preferred, form, number


def add_pupil(actor: Actor, *, first_name: str, last_name: str, date_of_birth: date,
              year_group: int, form_group: str = "", preferred_name: str = "",
              upn: str | None = None, flags: dict | None = None) -> PupilSummary:
    require(actor, Cap.PUPIL_MANAGE)
    from kiosk.models.pupils import PUPIL_FLAGS, Pupil

    first, last, preferred, form, number = _validate(
        first_name, last_name, preferred_name, date_of_birth, year_group, form_group, upn
    )
    flags = flags or {}
    unknown = set(flags) - set(PUPIL_FLAGS)
    if unknown:
        raise ValidationError("flags", f"unknown flag {sorted(unknown)[0]!r}")
    if flags and not actor.can(Cap.PUPIL_FLAGS_EDIT):
        require(actor, Cap.PUPIL_FLAGS_EDIT)
    with dbmod.write():
        if number and Pupil.select().where(Pupil.upn == number).exists():
            raise ValidationError("unique pupil number", "another pupil already has it")
        p = Pupil.create(
            first_name=first, last_name=last, preferred_name=preferred,
            date_of_birth=date_of_birth, year_group=year_group, form_group=form, upn=number,
            first_key=first.lower(), last_key=last.lower(), preferred_key=preferred.lower(),
            **{k: bool(v) for k, v in flags.items()},
        )
        audit.record(actor, "pupil.create", "pupil", p.id)
    return summary(p, actor.can(Cap.PUPIL_FLAGS_EDIT))


def set_flag(actor: Actor, pupil_id: int, flag: str, value: bool, reason: str = "",
             on: date | str | None = None, label: str = "") -> PupilSummary:
    """The DSL team sets or clears a flag, with the reason and the date it took effect.

    The change is kept as history (it shows on the chronology) and audited. "other" needs
    a label when set. An import never calls this: the flags are the DSL team's alone.
    """
    require(actor, Cap.PUPIL_FLAGS_EDIT)
    from kiosk.dates import parse_typed_date
    from kiosk.models.pupils import PUPIL_FLAGS, Pupil, PupilFlagChange

    if flag not in PUPIL_FLAGS:
        raise ValidationError("flag", f"unknown flag {flag!r}")
    why = clean(reason, "reason", required=True, multiline=True, max_length=2000)
    when = parse_typed_date(on, "date", required=False) or today()
    if when > today():
        raise ValidationError("date", "is in the future")
    name = clean(label, "label", max_length=60)
    if flag == "other" and value and not name:
        raise ValidationError("label", "say what the flag is (e.g. 'Private fostering')")
    with dbmod.write():
        p = get(actor, pupil_id)
        same_label = flag != "other" or not value or name == p.other_label
        if getattr(p, flag) == bool(value) and same_label:
            return summary(p, True)
        changes = {getattr(Pupil, flag): bool(value)}
        if flag == "other":
            changes[Pupil.other_label] = name if value else ""
        Pupil.update(changes).where(Pupil.id == p.id).execute()
        PupilFlagChange.create(pupil=p, flag=flag, value=bool(value), reason=why, by=actor.user_id,
                               effective_on=when, label=name if flag == "other" else "")
        audit.record(actor, "pupil.flag", "pupil", p.id, {"flag": flag, "value": bool(value)})
        p = Pupil.get_by_id(p.id)
    return summary(p, True)


@dataclass(frozen=True)
class FlagState:
    key: str
    label: str  # "Child protection plan", or the DSL's label for "other"
    set: bool
    since: date | None  # the date the latest change took effect
    reason: str  # the latest change's reason
    by: str


def flag_states(actor: Actor, pupil_id: int) -> list[FlagState]:
    """Every flag with its state and the latest change (for the flags screen)."""
    require(actor, Cap.PUPIL_FLAGS_EDIT)
    from kiosk.models.core import User
    from kiosk.models.pupils import PUPIL_FLAGS, PupilFlagChange
    from kiosk.rules.flags import flag_label

    with dbmod.translate_errors():
        p = get(actor, pupil_id)
        latest: dict[str, tuple] = {}
        rows = list(PupilFlagChange.select().where(PupilFlagChange.pupil == p.id)
                    .order_by(PupilFlagChange.at, PupilFlagChange.id))
        names = {u.id: u.full_name for u in User.select(User.id, User.full_name)
                 .where(User.id.in_({r.by_id for r in rows} or {0}))}
        for r in rows:
            latest[r.flag] = (r.effective_on or r.at.date(), r.reason, names.get(r.by_id, "?"))
    out = []
    for key in PUPIL_FLAGS:
        since, reason, by = latest.get(key, (None, "", ""))
        out.append(FlagState(key, flag_label(key, p.other_label), bool(getattr(p, key)), since, reason, by))
    return out


# --- leavers whose child protection file must follow them (issue 14; transfer is issue 16) ---

LEAVER_LABEL = "left: child protection file to transfer"


@dataclass(frozen=True)
class LeaverToTransfer:
    pupil_id: int
    name: str
    year_group: int
    left_on: date
    transfer_due: date  # kiosk.rules.deadlines.cp_file_transfer_deadline


def leavers_to_transfer(actor: Actor, profile=None) -> list[LeaverToTransfer]:
    """Pupils who left with any concern or early-help record, oldest departure first.

    A leaver stays listed until records out (kiosk.services.transfers) marks their file sent.
    """
    require(actor, Cap.CONCERN_TRIAGE)
    from kiosk.models.pupils import ON_ROLL, Pupil
    from kiosk.rules.deadlines import cp_file_transfer_deadline
    from kiosk.services.roll_import import ids_with_records

    with dbmod.translate_errors():
        left = list(Pupil.select(Pupil.id, Pupil.first_name, Pupil.last_name, Pupil.preferred_name,
                                 Pupil.year_group, Pupil.left_on)
                    .where((Pupil.status == ON_ROLL) & (Pupil.active == False)  # noqa: E712
                           & Pupil.left_on.is_null(False)).namedtuples())
        keep = ids_with_records([p.id for p in left])
        keep -= _files_sent(actor, keep)
    out = [LeaverToTransfer(p.id, f"{p.preferred_name or p.first_name} {p.last_name}", p.year_group,
                            p.left_on, cp_file_transfer_deadline(p.left_on, profile))
           for p in left if p.id in keep]
    return sorted(out, key=lambda x: (x.left_on, x.name))


def _files_sent(actor: Actor, ids: set[int]) -> set[int]:
    try:
        from kiosk.services.transfers import pupils_with_file_sent
    except ImportError:  # records out not in this build
        return set()
    return pupils_with_file_sent(actor, ids)


def home_counts(actor: Actor):
    from kiosk.services.actor import require_signed_in
    from kiosk.services.home import HomeCount

    require_signed_in(actor)
    if not actor.can(Cap.CONCERN_TRIAGE):
        return []
    rows = leavers_to_transfer(actor)
    if not rows:
        return []
    overdue = any(r.transfer_due < today() for r in rows)
    # [p]: the list is on the Pupils screen (F6), kept off the home menu so it fits 80x24.
    return [HomeCount(f"Pupils {LEAVER_LABEL}", len(rows), urgent=overdue, key="p")]


# --- children not on roll (issue 14) ------------------------------------------------------


def add_not_on_roll(actor: Actor, *, first_name: str, last_name: str, born: str | date,
                    note: str = "") -> PupilSummary:
    """A child who is not on the school's roll (a sibling at another school, a child in the
    community), added from the concern form so they can be the subject of a concern.

    `born` is a date of birth, or an age in years when the date is not known (kept as an
    estimate and said so in the note). The DSL team can later match them to a pupil who joins.
    """
    require(actor, Cap.CONCERN_RECORD)
    from kiosk.dates import parse_typed_date
    from kiosk.imports.common import year_from_birth
    from kiosk.models.pupils import NOT_ON_ROLL, Pupil

    first = clean(first_name, "first name", required=True, max_length=100)
    last = clean(last_name, "last name", required=True, max_length=100)
    known = clean(note, "what is known", multiline=True, max_length=2000)
    text = born.strip() if isinstance(born, str) else born
    if isinstance(text, str) and text.isdigit():
        age = int(text)
        if not 0 <= age <= 18:
            raise ValidationError("date of birth", "give an age from 0 to 18, or the date of birth")
        dob = date(today().year - age, today().month, 1)
        known = (f"Age about {age} (date of birth not known). " + known).strip()
    else:
        dob = parse_typed_date(text, "date of birth")
        if dob > today():
            raise ValidationError("date of birth", "is in the future")
    with dbmod.write():
        p = Pupil.create(first_name=first, last_name=last, date_of_birth=dob,
                         year_group=year_from_birth(dob, today()), first_key=first.lower(),
                         last_key=last.lower(), status=NOT_ON_ROLL, roll_note=known)
        audit.record(actor, "pupil.not_on_roll.create", "pupil", p.id)
    return summary(p, actor.can(Cap.PUPIL_FLAGS_EDIT))


@dataclass(frozen=True)
class NotOnRoll:
    pupil_id: int
    name: str
    date_of_birth: date
    note: str
    concerns: int
    maybe: tuple[PupilSummary, ...]  # pupils on roll with the same name and date of birth


def not_on_roll(actor: Actor) -> list[NotOnRoll]:
    """Children recorded as not on roll and not yet matched, with likely matches on roll."""
    require(actor, Cap.PUPIL_FLAGS_EDIT)
    from peewee import fn

    from kiosk.models.concerns import ConcernPupil
    from kiosk.models.pupils import NOT_ON_ROLL, ON_ROLL, Pupil

    with dbmod.translate_errors():
        kids = list(Pupil.select().where((Pupil.status == NOT_ON_ROLL) & Pupil.merged_into.is_null())
                    .order_by(Pupil.last_key, Pupil.first_key))
        ids = [k.id for k in kids]
        counts = dict(ConcernPupil.select(ConcernPupil.pupil, fn.COUNT(ConcernPupil.id))
                      .where(ConcernPupil.pupil.in_(ids or [0])).group_by(ConcernPupil.pupil).tuples())
        out = []
        for k in kids:
            maybe = Pupil.select().where((Pupil.status == ON_ROLL) & (Pupil.last_key == k.last_key)
                                         & ((Pupil.first_key == k.first_key) | (Pupil.date_of_birth == k.date_of_birth)))
            out.append(NotOnRoll(k.id, f"{k.first_name} {k.last_name}", k.date_of_birth, k.roll_note,
                                 int(counts.get(k.id, 0)), tuple(summary(p, True) for p in maybe)))
    return out


def match_not_on_roll(actor: Actor, child_id: int, pupil_id: int, reason: str) -> PupilSummary:
    """The DSL team says a child recorded as not on roll is this pupil (who has joined).

    The not-on-roll record stays, marked as merged into the pupil (its concern links are
    append-only and are never rewritten); the pupil's chronology shows the child's concerns
    with their own, and the child's sibling links are added to the pupil.
    """
    require(actor, Cap.PUPIL_FLAGS_EDIT)
    from kiosk.models.concerns import ConcernPupil
    from kiosk.models.pupils import NOT_ON_ROLL, ON_ROLL, Pupil, PupilLink

    why = clean(reason, "reason", required=True, max_length=500)
    with dbmod.write():
        child, pupil = get(actor, child_id), get(actor, pupil_id)
        if child.status != NOT_ON_ROLL or child.merged_into is not None:
            raise ValidationError("child", "is not a child recorded as not on roll")
        if pupil.status != ON_ROLL:
            raise ValidationError("pupil", "choose a pupil on the school's roll")
        # Concern links are append-only: they stay on the child's record, and the pupil's
        # chronology reads the records merged into it (kiosk.services.chronology).
        linked = [c for (c,) in ConcernPupil.select(ConcernPupil.concern)
                  .where(ConcernPupil.pupil == child.id).tuples()]
        for link in PupilLink.select().where(((PupilLink.pupil_a == child.id) | (PupilLink.pupil_b == child.id))
                                             & PupilLink.removed_at.is_null()):
            other = link.pupil_b_id if link.pupil_a_id == child.id else link.pupil_a_id
            if other == pupil.id:
                continue
            a, b = sorted((other, pupil.id))
            PupilLink.insert(pupil_a=a, pupil_b=b, source=link.source, created_by=actor.user_id,
                             reason=f"moved from a child not on roll: {why}"[:500]).on_conflict_ignore().execute()
        Pupil.update(merged_into=pupil.id, active=False).where(Pupil.id == child.id).execute()
        audit.record(actor, "pupil.not_on_roll.match", "pupil", pupil.id,
                     {"child": child.id, "concerns": linked, "reason": why})
    return summary(Pupil.get_by_id(pupil.id), True)
