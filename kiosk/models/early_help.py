"""Early help (procedures paragraph 6): the offer, referrals, enrolments, registers, agencies.

Records follow the house rule: rows are appended, never edited or deleted. A decision on an
internal referral, a review, the end of an enrolment and each status of an outside-agency
referral are rows of their own. The only rows that change are the offers themselves (a
rename or retirement changes `name` / `retired_at`) and each change is kept in
`EarlyHelpOfferChange`, so history reads back exactly. A register taken again (a
correction) marks the earlier rows superseded and appends new ones.
"""

from __future__ import annotations

from peewee import (
    AutoField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from kiosk.clock import utcnow
from kiosk.models.base import BaseModel, register
from kiosk.models.core import User
from kiosk.models.pupils import Pupil


@register
class EarlyHelpOffer(BaseModel):
    """One part of the offer. Synced from the profile by key; the school may add its own."""

    id = AutoField()
    key = CharField(max_length=64, unique=True)
    name = CharField(max_length=200)
    kind = CharField(max_length=20)  # drop_in, club, workshop, one_to_one, group
    frequency = CharField(max_length=20)
    audience = CharField(max_length=200, default="")
    description = TextField(default="")
    from_profile = BooleanField(default=False)
    renamed_in_console = BooleanField(default=False)  # a later profile sync keeps the school's name
    created_at = DateTimeField(default=utcnow)
    retired_at = DateTimeField(null=True)


@register
class EarlyHelpOfferChange(BaseModel):
    """add / rename / retire / restore / profile_rename: how an offer came to be as it is."""

    offer = ForeignKeyField(EarlyHelpOffer, backref="changes", on_delete="RESTRICT")
    change = CharField(max_length=20)
    old_name = CharField(max_length=200, default="")
    new_name = CharField(max_length=200, default="")
    reason = TextField(default="")
    by = ForeignKeyField(User, null=True, on_delete="RESTRICT")  # None: profile sync
    at = DateTimeField(default=utcnow)


@register
class EarlyHelpReferral(BaseModel):
    """An internal referral for 1:1 pastoral support or group work: who referred and why."""

    id = AutoField()
    pupil = ForeignKeyField(Pupil, backref="eh_referrals", on_delete="RESTRICT")
    offer = ForeignKeyField(EarlyHelpOffer, on_delete="RESTRICT")
    reason = TextField()
    referred_by = ForeignKeyField(User, on_delete="RESTRICT")
    referred_at = DateTimeField(default=utcnow, index=True)


@register
class EarlyHelpReferralDecision(BaseModel):
    """The one decision on a referral: accepted (and who picked it up) or declined, and why."""

    referral = ForeignKeyField(EarlyHelpReferral, backref="decisions", unique=True, on_delete="RESTRICT")
    decision = CharField(max_length=20)  # accepted, declined
    reason = TextField(default="")
    picked_up_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    decided_by = ForeignKeyField(User, on_delete="RESTRICT")
    decided_at = DateTimeField(default=utcnow)


@register
class EarlyHelpEnrolment(BaseModel):
    """A pupil in an intervention from `start_on`, with aims and a first review date."""

    id = AutoField()
    pupil = ForeignKeyField(Pupil, backref="eh_enrolments", on_delete="RESTRICT")
    offer = ForeignKeyField(EarlyHelpOffer, backref="enrolments", on_delete="RESTRICT")
    referral = ForeignKeyField(EarlyHelpReferral, null=True, on_delete="RESTRICT")
    start_on = DateField(index=True)
    aims = TextField()
    review_on = DateField()
    planned_end_on = DateField(null=True)
    keyworker = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    created_by = ForeignKeyField(User, on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)


@register
class EarlyHelpReview(BaseModel):
    """A review of an enrolment: notes and when the next review is due."""

    enrolment = ForeignKeyField(EarlyHelpEnrolment, backref="reviews", on_delete="RESTRICT")
    reviewed_on = DateField()
    notes = TextField()
    next_review_on = DateField(null=True)
    by = ForeignKeyField(User, on_delete="RESTRICT")
    at = DateTimeField(default=utcnow)


@register
class EarlyHelpEnrolmentEnd(BaseModel):
    """The end of an enrolment and its outcome (one per enrolment)."""

    enrolment = ForeignKeyField(EarlyHelpEnrolment, backref="ends", unique=True, on_delete="RESTRICT")
    ended_on = DateField()
    outcome = TextField()
    by = ForeignKeyField(User, on_delete="RESTRICT")
    at = DateTimeField(default=utcnow)


@register
class EarlyHelpSession(BaseModel):
    """One meeting of an offer (a lunch club on a date, a workshop evening)."""

    id = AutoField()
    offer = ForeignKeyField(EarlyHelpOffer, backref="sessions", on_delete="RESTRICT")
    held_on = DateField(index=True)
    label = CharField(max_length=200, default="")  # e.g. the workshop topic; "" for the usual
    created_by = ForeignKeyField(User, on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)
    register_taken_at = DateTimeField(null=True)
    register_taken_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")

    class Meta:
        indexes = ((("offer", "held_on", "label"), True),)


@register
class EarlyHelpAttendance(BaseModel):
    """A pupil present or absent at a session. Superseded rows stay (a corrected register)."""

    session = ForeignKeyField(EarlyHelpSession, backref="attendance", on_delete="RESTRICT")
    pupil = ForeignKeyField(Pupil, backref="eh_attendance", on_delete="RESTRICT")
    present = BooleanField()
    walk_in = BooleanField(default=False)
    note = TextField(default="")
    recorded_by = ForeignKeyField(User, on_delete="RESTRICT")
    recorded_at = DateTimeField(default=utcnow)
    superseded_at = DateTimeField(null=True, index=True)

    class Meta:
        indexes = ((("session", "pupil", "superseded_at"), False),)


@register
class EarlyHelpFamilyAttendance(BaseModel):
    """A family at a parent workshop: a label the school chooses, never a pupil's details."""

    session = ForeignKeyField(EarlyHelpSession, backref="families", on_delete="RESTRICT")
    family = CharField(max_length=100)
    adults = IntegerField(default=1)
    note = TextField(default="")
    recorded_by = ForeignKeyField(User, on_delete="RESTRICT")
    recorded_at = DateTimeField(default=utcnow)
    superseded_at = DateTimeField(null=True)


@register
class AgencyReferral(BaseModel):
    """A referral to an outside agency named in the profile (para 6), with consent noted."""

    id = AutoField()
    pupil = ForeignKeyField(Pupil, backref="agency_referrals", on_delete="RESTRICT")
    agency_key = CharField(max_length=64, index=True)
    agency_name = CharField(max_length=200)  # as the profile named it on the day
    response_days = IntegerField()  # the profile's timescale on the day (working days)
    referred_on = DateField(index=True)
    reason = TextField()
    consent = CharField(max_length=20)  # parent, pupil, both, not_needed, not_given
    consent_note = TextField(default="")
    referred_by = ForeignKeyField(User, on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)


@register
class AgencyReferralStatus(BaseModel):
    """sent, acknowledged, accepted, declined, closed: each with its date and a note/outcome."""

    referral = ForeignKeyField(AgencyReferral, backref="statuses", on_delete="RESTRICT")
    status = CharField(max_length=20)
    on = DateField()
    note = TextField(default="")
    by = ForeignKeyField(User, on_delete="RESTRICT")
    at = DateTimeField(default=utcnow, index=True)
