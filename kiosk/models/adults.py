"""Concerns about adults (procedures paragraphs 14-16): allegations and low-level concerns.

A concern is written once and never edited. Who may see it is fixed when it is raised, as
`AdultConcernRole` rows (the role it was routed to, and the roles it is shared with under
paragraph 15), so the register is one indexed query on (role, concern). Everything that
happens afterwards (LADO contact and advice, actions, the outcome, the written record of a
low-level concern, notes) is an `AdultConcernEvent` row appended with its rationale.
"""

from __future__ import annotations

from peewee import (
    AutoField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    TextField,
)

from kiosk.clock import utcnow
from kiosk.models.base import BaseModel, register
from kiosk.models.core import User


@register
class AdultConcern(BaseModel):
    """One concern about an adult working in or for the school, as it was raised."""

    id = AutoField()
    kind = CharField(max_length=20)  # allegation, low_level
    # Who it is about. `subject_user` is set when the adult has a console account, so
    # "nobody sees a concern about themselves" is enforced by id, not by name.
    subject_user = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT", index=True)
    subject_name = CharField(max_length=200)
    subject_role = CharField(max_length=200, default="")
    subject_dob = DateField(null=True)  # for the retention period (normal retirement age)
    subject_is_headteacher = BooleanField(default=False)
    subject_is_head_relative = BooleanField(default=False)
    subject_is_dsl = BooleanField(default=False)
    subject_is_trust_central = BooleanField(default=False)
    # What happened (paragraph 15: the concern and its context).
    what_happened = TextField()
    happened_when = CharField(max_length=200, default="")
    context = TextField(default="")
    # The four tests of paragraph 14 as answered on the form.
    harmed_child = BooleanField(default=False)
    criminal_offence = BooleanField(default=False)
    risk_of_harm = BooleanField(default=False)
    unsuitable = BooleanField(default=False)
    # Routing as decided by kiosk.rules at the time (role keys).
    recipient_role = CharField(max_length=40)
    share_with = CharField(max_length=200, default="")  # comma-separated role keys
    reported_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    told_by = CharField(max_length=200, default="")  # told in person to the recorder
    created_at = DateTimeField(default=utcnow, index=True)
    # Allegations: the recipient is told (alerted) at created_at; LADO contact due by this.
    lado_due_at = DateTimeField(null=True)


@register
class AdultConcernRole(BaseModel):
    """Who may see a concern: the role it was routed to, or a role it is shared with."""

    concern = ForeignKeyField(AdultConcern, backref="roles", on_delete="RESTRICT")
    role = CharField(max_length=40)
    reason = CharField(max_length=20)  # recipient, shared

    class Meta:
        indexes = ((("role", "concern"), True),)


@register
class AdultConcernRecipient(BaseModel):
    """The people alerted when the concern was raised (the holders of the routed role)."""

    concern = ForeignKeyField(AdultConcern, backref="recipients", on_delete="RESTRICT")
    user = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    reason = CharField(max_length=20)  # recipient, shared

    class Meta:
        indexes = ((("concern", "user"), True),)


@register
class AdultConcernEvent(BaseModel):
    """Something that happened on a concern, with the reasons for it. Never edited.

    kind: lado_contact, lado_advice, action, outcome, record (the written low-level record),
    note. `choice` holds the action (strategy_discussion, suspension_considered, police) or
    the outcome (substantiated, unsubstantiated, false, unfounded, malicious).
    """

    concern = ForeignKeyField(AdultConcern, backref="events", on_delete="RESTRICT")
    kind = CharField(max_length=20)
    choice = CharField(max_length=40, default="")
    occurred_at = DateTimeField(null=True)  # e.g. when the LADO was actually contacted
    text = TextField(default="")  # advice, decision, action taken
    rationale = TextField(default="")
    by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    by_name = CharField(max_length=200, default="")
    at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("concern", "kind"), False),)
