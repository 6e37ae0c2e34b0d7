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
    return PupilSummary(
        id=p.id,
        name=p.display_name,
        full_name=f"{p.first_name} {p.last_name}",
        date_of_birth=p.date_of_birth,
        year_group=p.year_group,
        form_group=p.form_group,
        upn=p.upn,
        flags=_flags_of(p) if show_flags else (),
        other_label=p.other_label if show_flags and p.other else "",
        on_roll=p.active and p.status != "not_on_roll",
        status_note=("not on roll" if p.status == "not_on_roll"
                     else (f"left {p.left_on:%d/%m/%Y}" if not p.active and p.left_on else
                           ("left" if not p.active else ""))),
    )


def search(actor: Actor, text: str, limit: int = 20) -> list[PupilSummary]:
    """Pupils whose first, preferred or last name starts with what was typed.

    Two words ("sam jo") match first-name prefix and last-name prefix. Flags are
    shown only to those who keep them (the DSL team).
    """
    from kiosk.models.pupils import Pupil

    if not (actor.can(Cap.PUPIL_SEARCH) or actor.can(Cap.PUPIL_MANAGE)):
        require(actor, Cap.PUPIL_SEARCH)
    words = clean(text, "search", max_length=100).lower().split()
    if not words:
        return []

    def prefix(field, word):
        return (field >= word) & (field < word + "\uffff")

    if len(words) == 1:
        w = words[0]
        cond = prefix(Pupil.first_key, w) | prefix(Pupil.last_key, w) | prefix(Pupil.preferred_key, w)
    else:
        a, b = words[0], words[-1]
        cond = (prefix(Pupil.first_key, a) | prefix(Pupil.preferred_key, a)) & prefix(Pupil.last_key, b)
    rows = (
        Pupil.select()
        .where(cond & (Pupil.active == True))  # noqa: E712
        .order_by(Pupil.last_key, Pupil.first_key)
        .limit(limit)
    )
    show = actor.can(Cap.PUPIL_FLAGS_EDIT) or actor.can(Cap.CHRONOLOGY_VIEW)
    return [summary(p, show) for p in rows]


def get(actor: Actor, pupil_id: int):
    """The pupil row (for services that need it); checks only that the pupil exists."""
    from kiosk.models.pupils import Pupil

    p = Pupil.get_or_none(Pupil.id == pupil_id)
    if p is None:
        raise NotFound(f"no pupil with id {pupil_id}")
    return p


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

    Records out (issue 16) marks a file as sent; until then every such leaver is listed.
    """
    require(actor, Cap.CONCERN_TRIAGE)
    from kiosk.models.pupils import ON_ROLL, Pupil
    from kiosk.rules.deadlines import cp_file_transfer_deadline
    from kiosk.services.roll_import import _ids_with_records

    with dbmod.translate_errors():
        left = list(Pupil.select(Pupil.id, Pupil.first_name, Pupil.last_name, Pupil.preferred_name,
                                 Pupil.year_group, Pupil.left_on)
                    .where((Pupil.status == ON_ROLL) & (Pupil.active == False)  # noqa: E712
                           & Pupil.left_on.is_null(False)).namedtuples())
        keep = _ids_with_records([p.id for p in left])
    out = [LeaverToTransfer(p.id, f"{p.preferred_name or p.first_name} {p.last_name}", p.year_group,
                            p.left_on, cp_file_transfer_deadline(p.left_on, profile))
           for p in left if p.id in keep]
    return sorted(out, key=lambda x: (x.left_on, x.name))


def home_counts(actor: Actor):
    from kiosk.services.home import HomeCount

    if not actor.can(Cap.CONCERN_TRIAGE):
        return []
    rows = leavers_to_transfer(actor)
    if not rows:
        return []
    overdue = any(r.transfer_due < today() for r in rows)
    return [HomeCount(f"Pupils {LEAVER_LABEL}", len(rows), urgent=True if overdue else False, key="l")]
