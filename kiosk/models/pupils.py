"""Pupils and the flags the DSL team keeps about them (with their history)."""

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

# The flags the DSL team keeps live in kiosk.rules.flags (one list for every reader).
from kiosk.rules.flags import PUPIL_FLAGS  # noqa: E402,F401

# Who a pupil record is: on the school's roll (imported or added), or a child not on roll
# (a sibling at another school, a child in the community) added as the subject of a concern.
ON_ROLL = "roll"
NOT_ON_ROLL = "not_on_roll"


@register
class Pupil(BaseModel):
    id = AutoField()
    upn = CharField(max_length=13, null=True, unique=True)  # unique pupil number, optional
    first_name = CharField(max_length=100)
    last_name = CharField(max_length=100)
    preferred_name = CharField(max_length=100, default="")
    date_of_birth = DateField()
    year_group = IntegerField()
    form_group = CharField(max_length=20, default="")
    active = BooleanField(default=True)
    # Lower-cased copies for prefix search that uses an index on every backend.
    first_key = CharField(max_length=100, index=True)
    last_key = CharField(max_length=100, index=True)
    preferred_key = CharField(max_length=100, index=True, default="")
    created_at = DateTimeField(default=utcnow)
    cp_plan = BooleanField(default=False)
    child_in_need = BooleanField(default=False)
    looked_after = BooleanField(default=False)
    previously_looked_after = BooleanField(default=False)
    young_carer = BooleanField(default=False)
    send = BooleanField(default=False)
    early_help_open = BooleanField(default=False)
    phone_disclaimer = BooleanField(default=False)
    # Schema 3 (issue 14): the roll from the MIS, leavers, children not on roll, "other" flag.
    former_upn = CharField(max_length=13, null=True, index=True)
    admission_number = CharField(max_length=20, default="")
    sex = CharField(max_length=1, default="")
    left_on = DateField(null=True)  # a leaver: off roll since (never deleted)
    status = CharField(max_length=12, default=ON_ROLL)
    roll_note = TextField(default="")  # what is known of a child not on roll
    # A child not on roll later matched to this pupil (indexed: every chronology page asks).
    merged_into = IntegerField(null=True, index=True)
    other = BooleanField(default=False)
    other_label = CharField(max_length=60, default="")

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.first_name
        return f"{first} {self.last_name}"


@register
class PupilFlagChange(BaseModel):
    """Append-only history of flag changes; it appears on the pupil's chronology."""

    pupil = ForeignKeyField(Pupil, backref="flag_changes", on_delete="RESTRICT")
    flag = CharField(max_length=40)
    value = BooleanField()
    reason = TextField(default="")
    by = ForeignKeyField(User, on_delete="RESTRICT")
    at = DateTimeField(default=utcnow, index=True)
    effective_on = DateField(null=True)  # schema 3: the date it took effect (plan start, ...)
    label = CharField(max_length=60, default="")  # schema 3: the label of an "other" flag


@register
class PupilLink(BaseModel):
    """Two pupils who are siblings: from an import (shared contact, address, family column)
    or linked by the DSL. Unlinking keeps the row (removed_at) so a re-import never links
    again what the DSL unlinked. pupil_a is always the lower id."""

    pupil_a = ForeignKeyField(Pupil, on_delete="RESTRICT")
    pupil_b = ForeignKeyField(Pupil, on_delete="RESTRICT", index=True)
    source = CharField(max_length=12)  # "import" or "dsl"
    created_at = DateTimeField(default=utcnow)
    created_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    removed_at = DateTimeField(null=True)
    removed_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    reason = TextField(default="")

    class Meta:
        indexes = ((("pupil_a", "pupil_b"), True),)
