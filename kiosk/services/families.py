"""Families: pupils linked as siblings (by an import, or by the DSL team by hand).

Anyone recording a concern may see a child's siblings' names (the concern form offers to
record for a sibling too); only those who keep chronologies see how many open concerns a
sibling has, and never their content. An unlinked pair stays unlinked: the row is kept
with `removed_at`, and an import never links it again.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk import db as dbmod
from kiosk.capabilities import Cap
from kiosk.clock import utcnow
from kiosk.errors import ValidationError
from kiosk.services import audit
from kiosk.services.actor import Actor, require
from kiosk.text import clean


@dataclass(frozen=True)
class Sibling:
    pupil_id: int
    name: str
    year_group: int
    on_roll: bool  # False: left, or a child not on roll
    source: str  # "import" or "dsl"


@dataclass(frozen=True)
class SiblingConcerns:
    pupil_id: int
    name: str
    open_concerns: int


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _sibling_rows(pupil_id: int):
    from kiosk.models.pupils import Pupil, PupilLink

    links = list(PupilLink.select(PupilLink.pupil_a, PupilLink.pupil_b, PupilLink.source)
                 .where(((PupilLink.pupil_a == pupil_id) | (PupilLink.pupil_b == pupil_id))
                        & PupilLink.removed_at.is_null()).tuples())
    other = {(b if a == pupil_id else a): src for a, b, src in links}
    if not other:
        return []
    rows = Pupil.select().where(Pupil.id.in_(list(other)) & Pupil.merged_into.is_null())
    return [(p, other[p.id]) for p in rows]


def siblings(actor: Actor, pupil_id: int) -> list[Sibling]:
    """The pupil's linked siblings, by name."""
    if not (actor.can(Cap.CONCERN_RECORD) or actor.can(Cap.PUPIL_SEARCH)):
        require(actor, Cap.PUPIL_SEARCH)
    from kiosk.models.pupils import ON_ROLL

    with dbmod.translate_errors():
        out = [Sibling(p.id, p.display_name, p.year_group, p.active and p.status == ON_ROLL, src)
               for p, src in _sibling_rows(pupil_id)]
    return sorted(out, key=lambda s: (-s.year_group, s.name))


def sibling_open_concerns(actor: Actor, pupil_id: int) -> list[SiblingConcerns]:
    """Each sibling with how many open concerns they have (a count, never the content)."""
    require(actor, Cap.CHRONOLOGY_VIEW)
    from peewee import fn

    from kiosk.models.concerns import Concern, ConcernPupil

    with dbmod.translate_errors():
        sibs = _sibling_rows(pupil_id)
        if not sibs:
            return []
        counts = dict(ConcernPupil.select(ConcernPupil.pupil, fn.COUNT(ConcernPupil.id))
                      .join(Concern, on=(Concern.id == ConcernPupil.concern))
                      .where(ConcernPupil.pupil.in_([p.id for p, _ in sibs]) & (Concern.is_open == True))  # noqa: E712
                      .group_by(ConcernPupil.pupil).tuples())
    return sorted((SiblingConcerns(p.id, p.display_name, int(counts.get(p.id, 0))) for p, _ in sibs),
                  key=lambda s: s.name)


def link(actor: Actor, pupil_id: int, other_id: int, reason: str = "") -> None:
    """The DSL team links two pupils as siblings (or restores a link they removed)."""
    require(actor, Cap.PUPIL_FLAGS_EDIT)
    from kiosk.models.pupils import PupilLink
    from kiosk.services import pupils

    if pupil_id == other_id:
        raise ValidationError("sibling", "a pupil cannot be their own sibling")
    why = clean(reason, "reason", max_length=500)
    a, b = _pair(pupil_id, other_id)
    with dbmod.write():
        pupils.get(actor, a), pupils.get(actor, b)
        row = PupilLink.get_or_none((PupilLink.pupil_a == a) & (PupilLink.pupil_b == b))
        if row is None:
            PupilLink.create(pupil_a=a, pupil_b=b, source="dsl", created_by=actor.user_id, reason=why)
        elif row.removed_at is not None:
            PupilLink.update(removed_at=None, removed_by=None, source="dsl", created_by=actor.user_id,
                             created_at=utcnow(), reason=why).where(PupilLink.id == row.id).execute()
        else:
            return
        audit.record(actor, "pupil.sibling.link", "pupil", a, {"sibling": b})


def unlink(actor: Actor, pupil_id: int, other_id: int, reason: str) -> None:
    """The DSL team says two pupils are not siblings; an import will not link them again."""
    require(actor, Cap.PUPIL_FLAGS_EDIT)
    from kiosk.models.pupils import PupilLink

    why = clean(reason, "reason", required=True, max_length=500)
    a, b = _pair(pupil_id, other_id)
    with dbmod.write():
        row = PupilLink.get_or_none((PupilLink.pupil_a == a) & (PupilLink.pupil_b == b)
                                    & PupilLink.removed_at.is_null())
        if row is None:
            raise ValidationError("sibling", "these pupils are not linked")
        PupilLink.update(removed_at=utcnow(), removed_by=actor.user_id, reason=why).where(
            PupilLink.id == row.id).execute()
        audit.record(actor, "pupil.sibling.unlink", "pupil", a, {"sibling": b})
